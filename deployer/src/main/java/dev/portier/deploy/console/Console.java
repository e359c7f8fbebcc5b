package dev.portier.deploy.console;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Timestamped lines a person can follow, one per step, like the bash script's log. */
public final class Console {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;
    private final String prefix;

    public Console(PrintWriter out, PrintWriter err) {
        this(out, err, Clock.systemDefaultZone());
    }

    Console(PrintWriter out, PrintWriter err, Clock clock) {
        this(out, err, clock, "");
    }

    private Console(PrintWriter out, PrintWriter err, Clock clock, String prefix) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.prefix = prefix;
    }

    /** The same console with {@code [label] } before every line, so the lines of hosts worked on in parallel stay apart. */
    public Console labelled(String label) {
        return new Console(out, err, clock, prefix + "[" + label + "] ");
    }

    /** A step or progress line on stdout. */
    public void step(String format, Object... args) {
        line(out, "", format, args);
    }

    /** Something went wrong but the command carries on (a webhook that did not answer, say). */
    public void warn(String format, Object... args) {
        line(err, "WARN ", format, args);
    }

    /** The reason a command fails, on stderr. */
    public void error(String format, Object... args) {
        line(err, "ERROR ", format, args);
    }

    /** Output meant for scripts (JSON, tables): written as is, no timestamp. */
    public PrintWriter raw() {
        return out;
    }

    private void line(PrintWriter w, String level, String format, Object... args) {
        String text = args.length == 0 ? format : String.format(format, args);
        String stamp = ZonedDateTime.now(clock.withZone(ZoneId.systemDefault())).format(STAMP);
        synchronized (w) {
            w.println(stamp + " " + level + prefix + text);
            w.flush();
        }
    }
}
