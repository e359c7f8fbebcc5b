package dev.portier.proxy.routing;

/**
 * A client's id for the canary split: the {@code portier_id} cookie (16 hex digits the proxy set),
 * else a hash of its address: the first {@code X-Forwarded-For} entry (the load balancer in front
 * knows the client), else the connection's peer.
 */
public final class ClientKey {

    /** The cookie's name. */
    public static final String COOKIE = "portier_id";
    /** Max-Age of the cookie: 30 days, longer than any rollout. */
    public static final int MAX_AGE_SECONDS = 30 * 24 * 3600;
    /** "No id": never given out. */
    static final long NONE = 0;

    private ClientKey() {
    }

    /** The id in a Cookie header, or {@link #NONE} when there is none (or it is not 16 hex digits). */
    public static long fromCookie(String header) {
        if (header == null) {
            return NONE;
        }
        int from = 0;
        while (true) {
            int at = header.indexOf(COOKIE, from);
            if (at < 0) {
                return NONE;
            }
            int eq = at + COOKIE.length();
            boolean starts = at == 0 || header.charAt(at - 1) == ' ' || header.charAt(at - 1) == ';';
            if (starts && eq < header.length() && header.charAt(eq) == '=') {
                return parseHex(header, eq + 1);
            }
            from = eq;
        }
    }

    private static long parseHex(String s, int start) {
        if (s.length() < start + 16 || s.length() > start + 16 && s.charAt(start + 16) != ';' && s.charAt(start + 16) != ' ') {
            return NONE;
        }
        long v = 0;
        for (int i = start; i < start + 16; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return NONE;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** The id of a client without a cookie. */
    public static long fromAddress(String forwardedFor, String peerIp) {
        String a = peerIp;
        if (forwardedFor != null) {
            int comma = forwardedFor.indexOf(',');
            String first = (comma < 0 ? forwardedFor : forwardedFor.substring(0, comma)).trim();
            if (!first.isEmpty()) {
                a = first;
            }
        }
        return CanarySplit.mix(CanarySplit.fnv(a == null ? "" : a));
    }

    /** The cookie value of an id. */
    public static String format(long id) {
        String hex = Long.toHexString(id);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** The Set-Cookie value that gives a client its id: every path of the host, not for scripts. */
    public static String setCookie(String id) {
        return COOKIE + "=" + id + "; Path=/; Max-Age=" + MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax";
    }
}
