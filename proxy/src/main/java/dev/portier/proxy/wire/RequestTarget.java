package dev.portier.proxy.wire;

/**
 * The request-target's form (RFC 9112 3.2): origin-form as most requests send it, asterisk-form
 * (OPTIONS only), authority-form (CONNECT only, which the relay refuses) or absolute-form, whose
 * authority names the host (3.2.2: it wins over the Host header) and which a backend gets in
 * origin-form, as a proxy must send it to an origin server.
 */
final class RequestTarget {

    /** Characters of an authority without userinfo: RFC 3986 unreserved, sub-delims, %, : and the brackets of an IP literal. */
    private static final boolean[] AUTHORITY = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            AUTHORITY[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            AUTHORITY[c] = true;
            AUTHORITY[c - 32] = true;
        }
        for (char c : "-._~!$&'()*+,;=%:[]".toCharArray()) {
            AUTHORITY[c] = true;
        }
    }

    private static final byte[] HTTP = HeadWriter.ascii("http");
    private static final byte[] HTTPS = HeadWriter.ascii("https");

    /** Where the authority of an absolute-form target starts and ends; -1 for the other forms. */
    final int authorityStart;
    final int authorityEnd;
    /** Where the target's origin form starts (the path, or the query when a "/" must be put before it). */
    final int originStart;
    /** Whether the origin form needs a "/" in front: an absolute-form target with an empty path. */
    final boolean slashMissing;

    private RequestTarget(int authorityStart, int authorityEnd, int originStart, boolean slashMissing) {
        this.authorityStart = authorityStart;
        this.authorityEnd = authorityEnd;
        this.originStart = originStart;
        this.slashMissing = slashMissing;
    }

    boolean isAbsolute() {
        return authorityStart >= 0;
    }

    /**
     * Classifies the target b[s, e) of a request with this method.
     *
     * @throws BadMessageException (400) for a form the method may not use, a scheme other than
     *                             http and https, userinfo or an empty or malformed authority
     */
    static RequestTarget parse(byte[] b, int s, int e, String method) {
        if (b[s] == '/') {
            return new RequestTarget(-1, -1, s, false);
        }
        if (e - s == 1 && b[s] == '*') {
            if (!"OPTIONS".equals(method)) {
                throw new BadMessageException("asterisk-form target without OPTIONS");
            }
            return new RequestTarget(-1, -1, s, false);
        }
        if ("CONNECT".equals(method)) {
            return new RequestTarget(-1, -1, s, false);
        }
        int colon = s;
        while (colon < e && b[colon] != ':') {
            colon++;
        }
        if (!(is(b, s, colon, HTTP) || is(b, s, colon, HTTPS)) || e - colon < 3 || b[colon + 1] != '/'
                || b[colon + 2] != '/') {
            throw new BadMessageException("request target neither a path nor an http or https URI");
        }
        int as = colon + 3;
        int ae = as;
        while (ae < e && b[ae] != '/' && b[ae] != '?') {
            ae++;
        }
        checkAuthority(b, as, ae, "target");
        return new RequestTarget(as, ae, ae, ae == e || b[ae] == '?');
    }

    /**
     * Checks a host and optional port as the target or the Host header gives them: not empty, no
     * userinfo (RFC 9110 4.2.4 calls it an error), only characters an authority may have.
     */
    static void checkAuthority(byte[] b, int s, int e, String where) {
        if (s == e) {
            throw new BadMessageException("empty host in the " + where);
        }
        for (int i = s; i < e; i++) {
            if (b[i] == '@') {
                throw new BadMessageException("userinfo in the " + where);
            }
            if (!AUTHORITY[b[i] & 0xff]) {
                throw new BadMessageException("bad host in the " + where);
            }
        }
    }

    private static boolean is(byte[] b, int s, int e, byte[] lower) {
        return e - s == lower.length && HeaderFields.equalsLowerCase(b, s, lower);
    }
}
