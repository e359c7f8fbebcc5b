package dev.portier.deploy.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Prints history entries: a table a person reads, or a JSON array for scripts. */
public final class HistoryTable {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final String FORMAT = "%s%-20s %-24s %-9s %-12s %-11s %7s  %-24s %s%n";

    private HistoryTable() {
    }

    /** One line per entry, newest first; {@code indent} is put before every line. */
    public static void print(List<DeployRecord> entries, String indent, PrintWriter out) {
        if (entries.isEmpty()) {
            out.println(indent + "no deploys recorded");
            out.flush();
            return;
        }
        out.printf(FORMAT, indent, "WHEN", "FRONTEND", "COMMAND", "VERSION", "OUTCOME", "TOOK", "BY", "CONTAINER / DETAIL");
        for (DeployRecord r : entries) {
            String detail = r.container() == null ? "" : r.container();
            if (r.detail() != null && !DeployRecord.SUCCESS.equals(r.outcome())) {
                detail = detail.isEmpty() ? r.detail() : detail + ": " + r.detail();
            }
            out.printf(FORMAT, indent, WHEN.format(r.when()), r.frontend(), r.command(), r.version() == null ? "-" : r.version(),
                    r.outcome(), String.format("%.1fs", r.durationMs() / 1000.0), r.by(), detail);
        }
        out.flush();
    }

    /** The entries as one JSON array, as stored. */
    public static void printJson(List<DeployRecord> entries, PrintWriter out) {
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(entries));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
