package dev.portier.proxy.wire;

import java.io.ByteArrayOutputStream;

/**
 * A second, deliberately plain reading of a chunked body (RFC 9112 7.1, with the proxy's own
 * strictness: 1 to 15 hex digits, an extension of field-value characters, CRLF only), written
 * independently of {@link BodyFramer} so the fuzz targets can hold the framer to it. It notices
 * each mistake at the same byte the framer must: a size line's at its first bad byte, a bare CR or
 * LF as soon as the byte after it is there, a trailer field's when its line ends.
 */
public final class ReferenceChunkedBody {

    /** How far the bytes go. */
    public enum State {
        /** A whole body, last chunk and trailers included. */
        COMPLETE,
        /** Fine so far; more is needed. */
        INCOMPLETE,
        /** Breaks the grammar: the framer must refuse it by now. */
        MALFORMED,
        /** Past a size limit (a line of 4 KiB, the trailers' total): the framer may refuse it. */
        LIMIT
    }

    /**
     * @param end     where the body ends (COMPLETE only)
     * @param payload the data of its chunks, as far as read
     */
    public record Result(State state, int end, byte[] payload) {
    }

    private static final int MAX_LINE = 4096;

    private ReferenceChunkedBody() {
    }

    /** Reads the chunked body that starts at {@code b[from]} and runs at most to the end of b. */
    public static Result read(byte[] b, int from, int maxTrailerBytes) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int p = from;
        while (true) {
            // chunk-size [ ";" extension ] CRLF
            int digits = 0;
            long size = 0;
            boolean extension = false;
            int i = p;
            while (true) {
                if (i - p >= MAX_LINE) {
                    return new Result(State.LIMIT, -1, payload.toByteArray());
                }
                if (i == b.length) {
                    return new Result(State.INCOMPLETE, -1, payload.toByteArray());
                }
                int c = b[i] & 0xff;
                if (c == '\r') {
                    if (digits == 0) {
                        return malformed(payload);
                    }
                    if (i + 1 == b.length) {
                        return new Result(State.INCOMPLETE, -1, payload.toByteArray());
                    }
                    if (b[i + 1] != '\n') {
                        return malformed(payload);
                    }
                    break;
                }
                if (extension) {
                    if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                        return malformed(payload);
                    }
                } else if (c == ';' && digits > 0) {
                    extension = true;
                } else if (Character.digit(c, 16) >= 0 && c < 0x80 && digits < 15) {
                    size = size * 16 + Character.digit(c, 16);
                    digits++;
                } else {
                    return malformed(payload);
                }
                i++;
            }
            p = i + 2;
            if (size == 0) {
                return trailers(b, p, maxTrailerBytes, payload);
            }
            long available = b.length - p;
            if (available < size) {
                payload.write(b, p, (int) available);
                return new Result(State.INCOMPLETE, -1, payload.toByteArray());
            }
            payload.write(b, p, (int) size);
            p += (int) size;
            if (b.length - p < 2) {
                return new Result(State.INCOMPLETE, -1, payload.toByteArray());
            }
            if (b[p] != '\r' || b[p + 1] != '\n') {
                return malformed(payload);
            }
            p += 2;
        }
    }

    private static Result trailers(byte[] b, int p, int maxTrailerBytes, ByteArrayOutputStream payload) {
        int total = 0;
        while (true) {
            int i = p;
            while (i < b.length && b[i] != '\r' && b[i] != '\n') {
                if (i - p >= MAX_LINE) {
                    return new Result(State.LIMIT, -1, payload.toByteArray());
                }
                i++;
            }
            if (i - p >= MAX_LINE) {
                return new Result(State.LIMIT, -1, payload.toByteArray());
            }
            if (i == b.length) {
                return new Result(State.INCOMPLETE, -1, payload.toByteArray());
            }
            if (b[i] == '\n') {
                return malformed(payload);
            }
            if (i + 1 == b.length) {
                return new Result(State.INCOMPLETE, -1, payload.toByteArray());
            }
            if (b[i + 1] != '\n') {
                return malformed(payload);
            }
            if (i == p) {
                return new Result(State.COMPLETE, i + 2, payload.toByteArray());
            }
            if (!isField(b, p, i)) {
                return malformed(payload);
            }
            total += i + 2 - p;
            if (total > maxTrailerBytes) {
                return new Result(State.LIMIT, -1, payload.toByteArray());
            }
            p = i + 2;
        }
    }

    /** {@code name ":" OWS value OWS}: a token name, a value without control characters but tab. */
    private static boolean isField(byte[] b, int s, int e) {
        int i = s;
        while (i < e && isTchar(b[i] & 0xff)) {
            i++;
        }
        if (i == s || i == e || b[i] != ':') {
            return false;
        }
        for (i++; i < e; i++) {
            int c = b[i] & 0xff;
            if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTchar(int c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private static Result malformed(ByteArrayOutputStream payload) {
        return new Result(State.MALFORMED, -1, payload.toByteArray());
    }
}
