package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Finds the blank line that ends a message head as bytes trickle in, scanning each byte once
 * (a client sending its head a byte at a time costs no more than one sending it whole), and
 * enforces the size limits: the head as a whole, and its first line. A CR not followed by LF is
 * refused as soon as the byte after it arrives: a head whose lines end in bare CRs would otherwise
 * never end, and its sender would get no answer until the idle timeout.
 */
final class HeadFinder {

    private final int maxHead;
    private final int maxFirstLine;
    private final int tooLargeStatus;
    private final int firstLineTooLongStatus;
    private final int badStatus;
    private int scanned;
    private int lineStart;
    private boolean firstLineDone;

    /** @param badStatus what a malformed head gets: 400 from a client, 502 from a backend */
    HeadFinder(int maxHead, int maxFirstLine, int tooLargeStatus, int firstLineTooLongStatus, int badStatus) {
        this.maxHead = maxHead;
        this.maxFirstLine = maxFirstLine;
        this.tooLargeStatus = tooLargeStatus;
        this.firstLineTooLongStatus = firstLineTooLongStatus;
        this.badStatus = badStatus;
    }

    /** Length of the head that starts at {@code in}'s reader index, blank line included; -1 while incomplete. */
    int find(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + maxHead);
        int p = start + scanned;
        while (p < end) {
            int lf = in.forEachByte(p, end - p, ByteProcessor.FIND_CRLF);
            if (lf < 0) {
                p = end;
                break;
            }
            if (in.getByte(lf) == '\r') {
                if (lf + 1 == end) {
                    if (end - start == maxHead) {
                        throw new BadMessageException(tooLargeStatus, "head larger than " + maxHead + " bytes");
                    }
                    // the byte after the CR decides; it is looked at again when more arrives
                    p = lf;
                    break;
                }
                if (in.getByte(lf + 1) != '\n') {
                    throw new BadMessageException(badStatus, "CR without LF in the head");
                }
                lf++;
            }
            int len = lf - (start + lineStart);
            if (!firstLineDone) {
                firstLineDone = true;
                if (len > maxFirstLine) {
                    throw new BadMessageException(firstLineTooLongStatus, "first line too long");
                }
            } else if (len == 0 || len == 1 && in.getByte(lf - 1) == '\r') {
                int headLength = lf + 1 - start;
                reset();
                return headLength;
            }
            lineStart = lf + 1 - start;
            p = lf + 1;
        }
        scanned = p - start;
        if (!firstLineDone && scanned > maxFirstLine) {
            throw new BadMessageException(firstLineTooLongStatus, "first line too long");
        }
        if (scanned >= maxHead) {
            throw new BadMessageException(tooLargeStatus, "head larger than " + maxHead + " bytes");
        }
        return -1;
    }

    void reset() {
        scanned = 0;
        lineStart = 0;
        firstLineDone = false;
    }
}
