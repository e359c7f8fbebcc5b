package dev.portier.proxy.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request: nginx's combined format with Hipache's fields in Hipache's order, then
 * ours. {@code <addr> - - [time] "METHOD URL VERSION" STATUS BYTES "REFERER" "UA" "VHOST" TOTAL_S
 * BACKEND_S FRONTEND BACKEND BACKEND_STATUS TOTAL_MS BACKEND_MS BYTES_IN SPLIT}; SPLIT is
 * {@code canary} or {@code live} on a frontend with a canary, else {@code -}. Built with one
 * StringBuilder on the event loop; written by Logback's async appender elsewhere.
 */
public final class AccessLog {

    private static final Logger LINES = LoggerFactory.getLogger(LogFiles.ACCESS_LOGGER);
    private static final DateTimeFormatter CLF =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** The formatted second, reused by every line within it. */
    private record Stamp(long second, String text) {
    }

    private static volatile Stamp stamp = new Stamp(-1, "");

    private AccessLog() {
    }

    /** Whether lines would go anywhere (skips formatting when the logger is off). */
    public static boolean enabled() {
        return LINES.isInfoEnabled();
    }

    /** Writes one line. */
    public static void log(AccessRecord r) {
        String backend = r.backend();
        StringBuilder b = new StringBuilder(256);
        b.append(dash(r.peer())).append(" - - [").append(now()).append("] \"")
                .append(dash(r.method())).append(' ').append(dash(r.uri())).append(' ').append(dash(r.version()))
                .append("\" ").append(r.status()).append(' ').append(r.bytesOut()).append(" \"");
        quoted(b, r.referer()).append("\" \"");
        quoted(b, r.userAgent()).append("\" \"");
        quoted(b, r.vhost()).append("\" ");
        seconds(b, r.totalNanos()).append(' ');
        seconds(b, backend == null ? -1 : r.backendNanos()).append(' ')
                .append(dash(r.frontendKey())).append(' ').append(dash(backend)).append(' ')
                .append(r.backendStatus() > 0 ? String.valueOf(r.backendStatus()) : "-").append(' ')
                .append(r.totalNanos() / 1_000_000).append(' ')
                .append(backend == null ? "-" : String.valueOf(r.backendNanos() / 1_000_000)).append(' ')
                .append(r.bytesIn()).append(' ').append(dash(r.split()));
        LINES.info(b.toString());
    }

    private static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, CLF.format(Instant.ofEpochSecond(second)));
            stamp = s;
        }
        return s.text();
    }

    private static StringBuilder seconds(StringBuilder b, long nanos) {
        if (nanos < 0) {
            return b.append('-');
        }
        long ms = nanos / 1_000_000;
        b.append(ms / 1000).append('.');
        long frac = ms % 1000;
        if (frac < 100) {
            b.append('0');
        }
        if (frac < 10) {
            b.append('0');
        }
        return b.append(frac);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Quotes and backslashes are escaped so a client cannot break the line's fields. */
    private static StringBuilder quoted(StringBuilder b, String s) {
        if (s == null || s.isEmpty()) {
            return b.append('-');
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b;
    }
}
