package dev.portier.deploy.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What the single-host and the fleet status print alike: the JSON document and a frontend's heading lines. */
public final class StatusText {

    private StatusText() {
    }

    /** Prints {@code report} as one indented JSON document. */
    public static void printJson(Object report, PrintWriter out) {
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The frontend's key, its Hipache list as Redis holds it, its dead marks and its deploy lock. */
    public static void printFrontend(PrintWriter out, String frontend, String key, String identifier, List<String> backends,
                                     Set<Integer> dead, String lock) {
        out.printf("FRONTEND %s  (%s)%n", frontend, key);
        List<String> list = new ArrayList<>();
        if (identifier != null) {
            list.add(identifier);
            list.addAll(backends);
        }
        out.printf("  list: %s   dead: %s   lock: %s%n", identifier == null ? "(absent)" : list,
                dead.isEmpty() ? "none" : dead, lock == null ? "free" : lock);
    }
}
