package dev.portier.proxy.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Host header → normalised host → the frontend keys to try, in Hipache's order. */
public final class HostMatcher {

    /** Hipache cuts a host to its last 6 labels before building wildcards, to bound the lookups. */
    static final int MAX_LABELS = 6;

    private HostMatcher() {
    }

    /**
     * Lower-cases and strips the port ({@code Example.COM:8080} → {@code example.com},
     * {@code [::1]:80} → {@code [::1]}) and a trailing dot; null when nothing is left.
     * Hipache lower-cased only when a port was present; we always do.
     */
    public static String normalise(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String h = hostHeader.trim();
        int end = h.length();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return null;
            }
            end = close + 1;
        } else {
            int colon = h.indexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && h.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0) {
            return null;
        }
        String host = end == h.length() ? h : h.substring(0, end);
        return host.toLowerCase(Locale.ROOT);
    }

    /**
     * The keys to try for a normalised host: the host itself; then, from the host cut to its last
     * 6 labels, {@code *.<suffix>} from the longest suffix to the shortest; then {@code *}.
     * {@code *.foo.bar} never matches {@code foo.bar} itself.
     */
    public static List<String> candidates(String host) {
        List<String> out = new ArrayList<>(MAX_LABELS + 2);
        out.add(host);
        if (!host.startsWith("[")) {
            int start = 0;
            int labels = 1;
            for (int i = 0; i < host.length(); i++) {
                if (host.charAt(i) == '.') {
                    labels++;
                }
            }
            // drop leading labels beyond the last MAX_LABELS
            for (int drop = labels - MAX_LABELS; drop > 0; drop--) {
                start = host.indexOf('.', start) + 1;
            }
            int dot;
            while ((dot = host.indexOf('.', start)) >= 0) {
                start = dot + 1;
                out.add("*." + host.substring(start));
            }
        }
        if (!host.equals("*")) {
            out.add("*");
        }
        return out;
    }
}
