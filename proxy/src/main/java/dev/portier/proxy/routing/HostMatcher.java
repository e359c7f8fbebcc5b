package dev.portier.proxy.routing;

import java.util.Locale;

/** Placeholder until the routing package lands. */
public final class HostMatcher {
    private HostMatcher() {
    }

    public static String normalise(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        int c = h.lastIndexOf(':');
        if (c >= 0 && h.indexOf(']') < c) {
            h = h.substring(0, c);
        }
        return h;
    }
}
