package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/**
 * Finds where a message body ends, as its bytes arrive, and hands them on as {@link BodyPart}s:
 * exactly Content-Length bytes; chunked framing checked byte by byte (sizes, CRLFs, extensions,
 * trailers) and passed on as it came, or taken off for an HTTP/1.0 client; or everything until the
 * connection closes. Bytes are handed on only once checked, so a malformed chunk never reaches the
 * other side.
 */
final class BodyFramer {

    /** How the body is delimited. */
    enum Mode { LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final int MAX_LINE = 4096;
    private static final int SIZE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILER = 3;

    private final int bad;
    private final int maxTrailerBytes;
    private Mode mode;
    private long remaining;
    private boolean dechunk;
    private int state;
    private int trailerBytes;

    /** @param bad the status a malformed body gets: 400 from a client, 502 from a backend */
    BodyFramer(int bad, int maxTrailerBytes) {
        this.bad = bad;
        this.maxTrailerBytes = maxTrailerBytes;
    }

    void start(Mode mode, long length, boolean dechunk) {
        this.mode = mode;
        this.remaining = length;
        this.dechunk = dechunk;
        this.state = SIZE;
        this.trailerBytes = 0;
    }

    /** Hands on what {@code in} holds of the body; true once the body has ended. */
    boolean decode(ByteBuf in, List<Object> out) {
        switch (mode) {
            case LENGTH -> {
                int n = (int) Math.min(remaining, in.readableBytes());
                if (n == 0) {
                    return false;
                }
                remaining -= n;
                out.add(new BodyPart(in.readRetainedSlice(n), remaining == 0));
                return remaining == 0;
            }
            case UNTIL_CLOSE -> {
                if (in.isReadable()) {
                    out.add(new BodyPart(in.readRetainedSlice(in.readableBytes()), false));
                }
                return false;
            }
            default -> {
                return chunked(in, out);
            }
        }
    }

    /** The connection closed: a body that runs until then has ended; any other is cut short. */
    boolean endOfInput(List<Object> out) {
        if (mode == Mode.UNTIL_CLOSE) {
            out.add(BodyPart.EMPTY_LAST);
            return true;
        }
        return false;
    }

    private boolean chunked(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int p = start;
        int end = in.writerIndex();
        int payload = 0;
        boolean done = false;
        loop:
        while (true) {
            switch (state) {
                case SIZE -> {
                    int lf = in.indexOf(p, Math.min(end, p + MAX_LINE), (byte) '\n');
                    if (lf < 0) {
                        if (end - p >= MAX_LINE) {
                            throw new BadMessageException(bad, "chunk size line too long");
                        }
                        break loop;
                    }
                    long size = chunkSize(in, p, lf);
                    p = lf + 1;
                    if (size == 0) {
                        state = TRAILER;
                    } else {
                        remaining = size;
                        state = DATA;
                    }
                }
                case DATA -> {
                    if (p == end) {
                        break loop;
                    }
                    int n = (int) Math.min(remaining, end - p);
                    if (dechunk) {
                        in.readerIndex(p);
                        out.add(new BodyPart(in.readRetainedSlice(n), false));
                    }
                    p += n;
                    payload += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = DATA_END;
                    }
                }
                case DATA_END -> {
                    if (end - p < 2) {
                        break loop;
                    }
                    if (in.getByte(p) != '\r' || in.getByte(p + 1) != '\n') {
                        throw new BadMessageException(bad, "chunk data not followed by CRLF");
                    }
                    p += 2;
                    state = SIZE;
                }
                default -> {
                    int lf = in.indexOf(p, Math.min(end, p + MAX_LINE), (byte) '\n');
                    if (lf < 0) {
                        if (end - p >= MAX_LINE) {
                            throw new BadMessageException(bad, "trailer line too long");
                        }
                        break loop;
                    }
                    if (lf == p || in.getByte(lf - 1) != '\r') {
                        throw new BadMessageException(bad, "trailer line must end with CRLF");
                    }
                    if (lf == p + 1) {
                        p = lf + 1;
                        done = true;
                        break loop;
                    }
                    HeadParser.checkTrailerField(ByteBufUtil.getBytes(in, p, lf - 1 - p), bad);
                    trailerBytes += lf + 1 - p;
                    if (trailerBytes > maxTrailerBytes) {
                        throw new BadMessageException(bad, "trailers too large");
                    }
                    p = lf + 1;
                }
            }
        }
        if (dechunk) {
            in.readerIndex(p);
            if (done) {
                out.add(BodyPart.EMPTY_LAST);
            }
        } else if (p > start) {
            out.add(new BodyPart(in.readRetainedSlice(p - start), done, payload));
        }
        return done;
    }

    /** The size on a chunk-size line: hex digits, then only an extension; CRLF required. */
    private long chunkSize(ByteBuf in, int p, int lf) {
        if (lf == p || in.getByte(lf - 1) != '\r') {
            throw new BadMessageException(bad, "chunk size line must end with CRLF");
        }
        int e = lf - 1;
        long size = 0;
        int i = p;
        for (; i < e; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (i - p >= 15) {
                throw new BadMessageException(bad, "chunk size too large");
            }
            size = size << 4 | d;
        }
        if (i == p) {
            throw new BadMessageException(bad, "bad chunk size");
        }
        if (i < e) {
            if (in.getByte(i) != ';') {
                throw new BadMessageException(bad, "bad chunk size");
            }
            for (; i < e; i++) {
                if (!HeadParser.isFieldValue(in.getByte(i))) {
                    throw new BadMessageException(bad, "control character in chunk extension");
                }
            }
        }
        return size;
    }
}
