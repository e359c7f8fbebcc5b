package dev.portier.proxy.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client's request head, parsed and checked: request line, header fields (see
 * {@link HeaderFields}) and the facts the proxy acts on, found in one pass.
 */
public final class RequestHead {

    /** How the body that follows the head is framed. */
    public enum Body { NONE, LENGTH, CHUNKED }

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
            "CONNECT", "TRACE"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = METHODS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final byte[] bytes;
    private final String method;
    private final int targetStart;
    private final int targetEnd;
    private final RequestTarget target;
    private final boolean http10;
    private final HeaderFields fields;
    private String uri;
    private String host;
    private Body body = Body.NONE;
    private long contentLength = -1;
    private boolean keepAlive;
    private String upgrade;
    private boolean debug;
    private int hostCount;
    private int hostIndex = -1;

    private RequestHead(byte[] bytes, String method, int targetStart, int targetEnd, boolean http10) {
        this.bytes = bytes;
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.target = RequestTarget.parse(bytes, targetStart, targetEnd, method);
        this.http10 = http10;
        this.fields = new HeaderFields(bytes);
    }

    /**
     * Parses a whole head: {@code b} runs from the request line to the blank line that ends it.
     *
     * @throws BadMessageException with 400 (505 for another HTTP version, 501 for a transfer coding
     *                             other than chunked) when it breaks the rules; among them a Host
     *                             header that is missing (allowed only with an absolute-form
     *                             target), repeated or malformed, so a request that gets a
     *                             RequestHead always has a {@link #host()}
     */
    public static RequestHead parse(byte[] b) {
        int lf = HeadParser.indexOfLf(b, 0, b.length);
        int end = HeadParser.contentEnd(b, 0, lf);
        int i = 0;
        while (i < end && HeadParser.isTchar(b[i])) {
            i++;
        }
        if (i == 0 || i == end || b[i] != ' ') {
            throw new BadMessageException("malformed request line");
        }
        String method = method(b, i);
        int ts = i + 1;
        int j = ts;
        while (j < end && (b[j] & 0xff) > 0x20 && b[j] != 0x7f) {
            j++;
        }
        if (j == ts || j == end || b[j] != ' ') {
            throw new BadMessageException("malformed request line");
        }
        int vs = j + 1;
        if (!HeadParser.looksLikeVersion(b, vs, end)) {
            throw new BadMessageException("malformed request line");
        }
        if (b[vs + 5] != '1' || b[vs + 7] != '1' && b[vs + 7] != '0') {
            throw new BadMessageException(505, "HTTP version not supported");
        }
        RequestHead h = new RequestHead(b, method, ts, j, b[vs + 7] == '0');
        HeadParser.parseFields(b, lf + 1, h.fields, 400);
        h.learn();
        return h;
    }

    private static String method(byte[] b, int len) {
        for (int m = 0; m < METHOD_BYTES.length; m++) {
            byte[] mb = METHOD_BYTES[m];
            if (mb.length == len && Arrays.equals(b, 0, len, mb, 0, len)) {
                return METHODS[m];
            }
        }
        return new String(b, 0, len, StandardCharsets.US_ASCII);
    }

    private void learn() {
        boolean te = false;
        int upgradeIndex = -1;
        for (int i = 0; i < fields.size(); i++) {
            switch (fields.kind(i)) {
                case HeaderFields.HOST -> {
                    if (hostCount++ == 0) {
                        hostIndex = i;
                    }
                }
                case HeaderFields.CONTENT_LENGTH -> {
                    if (contentLength >= 0) {
                        throw new BadMessageException("more than one Content-Length");
                    }
                    contentLength = HeadParser.parseLength(bytes, fields.valueStart(i), fields.valueEnd(i));
                    if (contentLength < 0) {
                        throw new BadMessageException("bad Content-Length");
                    }
                }
                case HeaderFields.TRANSFER_ENCODING -> te = true;
                case HeaderFields.UPGRADE -> upgradeIndex = upgradeIndex < 0 ? i : upgradeIndex;
                case HeaderFields.X_DEBUG -> debug = true;
                default -> {
                }
            }
        }
        if (te) {
            if (contentLength >= 0) {
                throw new BadMessageException("both Content-Length and Transfer-Encoding");
            }
            if (http10) {
                throw new BadMessageException("Transfer-Encoding in an HTTP/1.0 request");
            }
            TransferCodings.requireChunkedOnly(fields);
        }
        checkHost();
        body = te ? Body.CHUNKED : contentLength > 0 ? Body.LENGTH : Body.NONE;
        Connection c = Connection.of(fields);
        keepAlive = http10 ? c.keepAlive() && !c.close() : !c.close();
        if (upgradeIndex >= 0 && c.upgrade()) {
            String u = fields.value(upgradeIndex);
            // h2c is not passed on: we speak HTTP/1.1 to backends, and a backend switching to HTTP/2
            // mid-request (Java's HttpClient asks by default) would get a request it cannot finish
            if (!u.isBlank() && !u.trim().equalsIgnoreCase("h2c")) {
                upgrade = u;
            }
        }
    }

    /**
     * RFC 9112 3.2: one Host field with a valid value; an absolute-form target's authority stands
     * in for it (3.2.2), so there it may be absent (a Host field present is then ignored, and a
     * backend gets the authority in its place), but still not repeated.
     */
    private void checkHost() {
        if (hostCount > 1) {
            throw new BadMessageException("more than one Host header");
        }
        if (target.isAbsolute()) {
            return;
        }
        if (hostCount == 0) {
            throw new BadMessageException("no Host header");
        }
        RequestTarget.checkAuthority(bytes, fields.valueStart(hostIndex), fields.valueEnd(hostIndex), "Host header");
    }

    public String method() {
        return method;
    }

    public boolean isHead() {
        return method == "HEAD"; // interned above: every HEAD request gets the constant
    }

    public boolean isConnect() {
        return method == "CONNECT";
    }

    /** The request target as a backend gets it: as sent, but an absolute-form one in origin-form ({@code /path?query}). */
    public String uri() {
        if (uri == null) {
            int s = target.originStart;
            String origin = new String(bytes, s, targetEnd - s, StandardCharsets.ISO_8859_1);
            uri = target.slashMissing ? "/" + origin : origin;
        }
        return uri;
    }

    public boolean isHttp10() {
        return http10;
    }

    public HeaderFields fields() {
        return fields;
    }

    public Body body() {
        return body;
    }

    public boolean hasBody() {
        return body != Body.NONE;
    }

    public long contentLength() {
        return contentLength;
    }

    /** Whether the client wants the connection kept after this exchange (its version and Connection header). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The protocol asked for with Upgrade and Connection: upgrade, or null (h2c is never passed on). */
    public String upgrade() {
        return upgrade;
    }

    public boolean expectsContinue() {
        String e = fields.get(HeaderFields.EXPECT);
        return e != null && e.equalsIgnoreCase("100-continue");
    }

    public boolean debug() {
        return debug;
    }

    /** How many Host fields the request has: 1, or 0 when an absolute-form target names the host. */
    public int hostCount() {
        return hostCount;
    }

    /** The host to route by: an absolute-form target's authority, else the Host field's value; never null or blank. */
    public String host() {
        if (host == null) {
            host = target.isAbsolute()
                    ? new String(bytes, target.authorityStart, target.authorityEnd - target.authorityStart,
                            StandardCharsets.ISO_8859_1)
                    : fields.value(hostIndex);
        }
        return host;
    }

    RequestTarget target() {
        return target;
    }

    byte[] bytes() {
        return bytes;
    }

    int targetStart() {
        return targetStart;
    }

    int targetEnd() {
        return targetEnd;
    }
}
