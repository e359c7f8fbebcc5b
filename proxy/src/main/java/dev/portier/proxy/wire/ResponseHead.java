package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;

/** A backend's response head, parsed and checked, with the facts that decide its framing and the connection's fate. */
public final class ResponseHead {

    private final byte[] bytes;
    private final int status;
    private final boolean http10;
    private final int statusLineEnd;
    private final HeaderFields fields;
    private long contentLength = -1;
    private boolean chunked;
    private boolean transferCoded;
    private boolean keepAlive;

    private ResponseHead(byte[] bytes, int status, boolean http10, int statusLineEnd) {
        this.bytes = bytes;
        this.status = status;
        this.http10 = http10;
        this.statusLineEnd = statusLineEnd;
        this.fields = new HeaderFields(bytes);
    }

    /**
     * Parses a whole head, status line to the blank line.
     *
     * @throws BadMessageException (status 502) when the backend broke the rules
     */
    public static ResponseHead parse(byte[] b) {
        int lf = HeadParser.indexOfLf(b, 0, b.length);
        int end = HeadParser.contentEnd(b, 0, lf);
        if (end < 12 || !HeadParser.looksLikeVersion(b, 0, 8) || b[5] != '1' || b[7] != '1' && b[7] != '0'
                || b[8] != ' ' || !digit(b[9]) || !digit(b[10]) || !digit(b[11]) || end > 12 && b[12] != ' ') {
            throw new BadMessageException(502, "malformed status line");
        }
        for (int i = 12; i < end; i++) {
            if (!HeadParser.isFieldValue(b[i])) {
                throw new BadMessageException(502, "control character in the status line");
            }
        }
        int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        ResponseHead h = new ResponseHead(b, status, b[7] == '0', end);
        HeadParser.parseFields(b, lf + 1, h.fields, 502);
        h.learn();
        return h;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private void learn() {
        for (int i = 0; i < fields.size(); i++) {
            byte k = fields.kind(i);
            if (k == HeaderFields.CONTENT_LENGTH) {
                long v = HeadParser.parseLength(bytes, fields.valueStart(i), fields.valueEnd(i));
                if (v < 0 || contentLength >= 0 && v != contentLength) {
                    throw new BadMessageException(502, "bad Content-Length from the backend");
                }
                contentLength = v;
            } else if (k == HeaderFields.TRANSFER_ENCODING) {
                transferCoded = true;
            }
        }
        if (transferCoded) {
            // RFC 9112 6.3: Transfer-Encoding overrides Content-Length; not ending in chunked means
            // the body runs until the backend closes
            chunked = lastCodingIsChunked();
            contentLength = -1;
        }
        Connection c = Connection.of(fields);
        keepAlive = http10 ? c.keepAlive() && !c.close() : !c.close();
    }

    /** Whether the last transfer coding (of the last Transfer-Encoding field) is chunked. */
    private boolean lastCodingIsChunked() {
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (fields.kind(i) != HeaderFields.TRANSFER_ENCODING) {
                continue;
            }
            int s = fields.valueStart(i);
            int e = fields.valueEnd(i);
            while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t' || bytes[e - 1] == ',')) {
                e--;
            }
            int t = e;
            while (t > s && bytes[t - 1] != ',' && bytes[t - 1] != ' ' && bytes[t - 1] != '\t') {
                t--;
            }
            if (e > t) {
                return e - t == CHUNKED.length && HeaderFields.equalsLowerCase(bytes, t, CHUNKED);
            }
        }
        return false;
    }

    private static final byte[] CHUNKED = HeadWriter.ascii("chunked");

    /** The head as it came, status line to blank line. */
    byte[] bytes() {
        return bytes;
    }

    public int status() {
        return status;
    }

    public HeaderFields fields() {
        return fields;
    }

    /** Content-Length, or -1 when the response has none (or Transfer-Encoding overrides it). */
    public long contentLength() {
        return contentLength;
    }

    public boolean isChunked() {
        return chunked;
    }

    /** Whether a Transfer-Encoding field is present (chunked or not). */
    public boolean isTransferCoded() {
        return transferCoded;
    }

    /** Whether the backend keeps the connection open after this response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Writes {@code HTTP/1.1 <status> <reason>CRLF}: we answer as HTTP/1.1 whatever the backend spoke. */
    public void writeStatusLine(ByteBuf out) {
        out.writeBytes(HTTP_1_1);
        out.writeBytes(bytes, 8, statusLineEnd - 8);
        out.writeShort('\r' << 8 | '\n');
    }

    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
}
