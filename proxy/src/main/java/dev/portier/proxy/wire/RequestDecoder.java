package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client side's HTTP/1.1 parser: turns bytes into {@link RequestHead}s and {@link BodyPart}s,
 * pipelined requests one after another. A request that breaks the rules becomes a
 * {@link BadMessage} and everything after it on the connection is dropped unread, and so does a
 * head that takes longer than the head deadline to arrive (408, as nginx's client_header_timeout):
 * a client trickling its head a byte at a time cannot hold a connection for hours.
 */
public final class RequestDecoder extends ByteToMessageDecoder {

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int BAD = 2;

    private final HeadFinder finder;
    private final BodyFramer framer;
    private final long headTimeoutNanos;
    private int state = HEAD;
    /** When the first byte of the head being read arrived; 0 when no head is partly read. */
    private long headStartNanos;
    private ScheduledFuture<?> headDeadline;

    /** @param maxHeaderSize larger heads get 431; request lines over 8 KiB get 414 */
    public RequestDecoder(int maxHeaderSize) {
        this(maxHeaderSize, 0);
    }

    /** @param headTimeoutMillis time from a head's first byte to its last; longer gets 408 (0: no limit) */
    public RequestDecoder(int maxHeaderSize, long headTimeoutMillis) {
        this.finder = new HeadFinder(maxHeaderSize, 8192, 431, 414, 400);
        this.framer = new BodyFramer(400, maxHeaderSize);
        this.headTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headTimeoutMillis);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable()) {
                if (state == HEAD) {
                    skipEmptyLines(in);
                    int length = in.isReadable() ? finder.find(in) : -1;
                    if (length < 0) {
                        if (in.isReadable()) {
                            headStarted(ctx);
                        }
                        return;
                    }
                    headStartNanos = 0;
                    byte[] bytes = new byte[length];
                    in.readBytes(bytes);
                    RequestHead head = RequestHead.parse(bytes);
                    out.add(head);
                    switch (head.body()) {
                        case LENGTH -> framer.start(BodyFramer.Mode.LENGTH, head.contentLength(), false);
                        case CHUNKED -> framer.start(BodyFramer.Mode.CHUNKED, -1, false);
                        default -> {
                            continue;
                        }
                    }
                    state = BODY;
                } else if (state == BODY) {
                    if (!framer.decode(in, out)) {
                        return;
                    }
                    state = HEAD;
                } else {
                    in.skipBytes(in.readableBytes());
                }
            }
        } catch (BadMessageException e) {
            state = BAD;
            in.skipBytes(in.readableBytes());
            out.add(new BadMessage(e.status(), e.getMessage()));
        }
    }

    /** A head is partly here: the clock runs until its end arrives (whole heads in one read never start it). */
    private void headStarted(ChannelHandlerContext ctx) {
        if (headTimeoutNanos <= 0 || headStartNanos != 0) {
            return;
        }
        headStartNanos = System.nanoTime() | 1;
        if (headDeadline == null) {
            headDeadline = ctx.executor().schedule(() -> checkHeadDeadline(ctx), headTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkHeadDeadline(ChannelHandlerContext ctx) {
        headDeadline = null;
        if (headStartNanos == 0 || state != HEAD || ctx.isRemoved()) {
            return;
        }
        long left = headStartNanos + headTimeoutNanos - System.nanoTime();
        if (left > 0) {
            headDeadline = ctx.executor().schedule(() -> checkHeadDeadline(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        state = BAD;
        headStartNanos = 0;
        ctx.fireChannelRead(new BadMessage(408, "request head not received in "
                + TimeUnit.NANOSECONDS.toSeconds(headTimeoutNanos) + " s"));
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (headDeadline != null) {
            headDeadline.cancel(false);
            headDeadline = null;
        }
    }

    /**
     * RFC 9112 2.2: empty lines before a request line are ignored (some clients send one after a
     * body). An empty line is CRLF or LF; a CR followed by anything else is refused here at once.
     */
    private void skipEmptyLines(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end) {
            byte b = in.getByte(i);
            if (b == '\n') {
                i++;
            } else if (b == '\r' && i + 1 < end) {
                if (in.getByte(i + 1) != '\n') {
                    throw new BadMessageException("CR without LF before the request line");
                }
                i += 2;
            } else {
                // a request line, or a CR whose LF has not arrived yet (the head finder waits for it)
                break;
            }
        }
        if (i > in.readerIndex()) {
            in.readerIndex(i);
            finder.reset();
        }
    }

    /** Answered here, not from Netty's per-thread cache of the annotation: asked for every connection. */
    @Override
    public boolean isSharable() {
        return false;
    }
}
