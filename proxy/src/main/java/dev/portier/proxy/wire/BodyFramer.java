package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import java.util.Arrays;
import java.util.List;

/**
 * Finds where a message body ends, as its bytes arrive, and hands them on as {@link BodyPart}s:
 * exactly Content-Length bytes; chunked framing checked byte by byte (sizes, CRLFs, extensions,
 * trailers) and passed on as it came, or taken off for an HTTP/1.0 client; or everything until the
 * connection closes. Bytes are handed on only once checked, so a malformed chunk never reaches the
 * other side. Chunk-size and trailer lines are checked as their bytes arrive, so a bad one is
 * refused at its first bad byte rather than when (if ever) its line ends: the relay waits for the
 * first chunk's size line before it picks a backend, and must not wait long for a bad one.
 */
final class BodyFramer {

    /** How the body is delimited. */
    enum Mode { LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final int MAX_LINE = 4096;
    private static final int SIZE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILER = 3;
    /** Each byte's value as a hex digit, or -1. */
    private static final byte[] HEX = new byte[256];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int c = 0; c < 16; c++) {
            HEX[Character.forDigit(c, 16)] = (byte) c;
            HEX[Character.toUpperCase(Character.forDigit(c, 16))] = (byte) c;
        }
    }

    private final int bad;
    private final int maxTrailerBytes;
    private Mode mode;
    private long remaining;
    private boolean dechunk;
    private int state;
    private int trailerBytes;
    /** Bytes of the current size or trailer line already checked; the line starts at the reader index. */
    private int lineChecked;
    private int sizeDigits;
    private long size;
    private boolean inExtension;

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
        newLine();
    }

    private void newLine() {
        lineChecked = 0;
        sizeDigits = 0;
        size = 0;
        inExtension = false;
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
                    int next = sizeLine(in, p, end);
                    if (next < 0) {
                        break loop;
                    }
                    p = next;
                    if (size == 0) {
                        state = TRAILER;
                    } else {
                        remaining = size;
                        state = DATA;
                    }
                    newLine();
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
                    int cr = trailerLineEnd(in, p, end);
                    if (cr < 0) {
                        break loop;
                    }
                    if (cr == p) {
                        p = cr + 2;
                        done = true;
                        break loop;
                    }
                    HeadParser.checkTrailerField(ByteBufUtil.getBytes(in, p, cr - p), bad);
                    trailerBytes += cr + 2 - p;
                    if (trailerBytes > maxTrailerBytes) {
                        throw new BadMessageException(bad, "trailers too large");
                    }
                    p = cr + 2;
                    lineChecked = 0;
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

    /**
     * Checks the chunk-size line that starts at {@code p} byte by byte, from where the last call
     * stopped: hex digits, then only an extension, then CRLF. Returns the index just past its LF
     * (the size is then in {@code size}), or -1 while it has not ended.
     */
    private int sizeLine(ByteBuf in, int p, int end) {
        int limit = Math.min(end, p + MAX_LINE);
        int i = p + lineChecked;
        for (; i < limit; i++) {
            byte c = in.getByte(i);
            if (c == '\r') {
                if (sizeDigits == 0) {
                    throw new BadMessageException(bad, "bad chunk size");
                }
                if (i + 1 == end) {
                    break; // the LF decides; this CR is looked at again when it arrives
                }
                if (in.getByte(i + 1) != '\n') {
                    throw new BadMessageException(bad, "chunk size line must end with CRLF");
                }
                return i + 2;
            }
            if (inExtension) {
                if (!HeadParser.isFieldValue(c)) {
                    throw new BadMessageException(bad, c == '\n' ? "chunk size line must end with CRLF"
                            : "control character in chunk extension");
                }
            } else if (c == ';' && sizeDigits > 0) {
                inExtension = true;
            } else {
                int d = HEX[c & 0xff];
                if (d < 0) {
                    throw new BadMessageException(bad, c == '\n' ? "chunk size line must end with CRLF" : "bad chunk size");
                }
                if (sizeDigits == 15) {
                    throw new BadMessageException(bad, "chunk size too large");
                }
                size = size << 4 | d;
                sizeDigits++;
            }
        }
        lineChecked = i - p;
        if (lineChecked >= MAX_LINE) {
            throw new BadMessageException(bad, "chunk size line too long");
        }
        return -1;
    }

    /**
     * Finds the CRLF that ends the trailer line starting at {@code p}, looking only at bytes not
     * seen before; returns the CR's index, or -1 while the line has not ended. A CR or LF on its
     * own is refused as soon as it is seen.
     */
    private int trailerLineEnd(ByteBuf in, int p, int end) {
        int limit = Math.min(end, p + MAX_LINE);
        int from = p + lineChecked;
        int at = from < limit ? in.forEachByte(from, limit - from, ByteProcessor.FIND_CRLF) : -1;
        if (at < 0) {
            lineChecked = limit - p;
            if (lineChecked >= MAX_LINE) {
                throw new BadMessageException(bad, "trailer line too long");
            }
            return -1;
        }
        if (in.getByte(at) == '\n') {
            throw new BadMessageException(bad, "trailer line must end with CRLF");
        }
        if (at + 1 == end) {
            lineChecked = at - p;
            return -1;
        }
        if (in.getByte(at + 1) != '\n') {
            throw new BadMessageException(bad, "trailer line must end with CRLF");
        }
        return at;
    }
}
