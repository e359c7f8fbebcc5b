package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The client side's HTTP/1.1 parser: turns bytes into {@link RequestHead}s and {@link BodyPart}s,
 * pipelined requests one after another. A request that breaks the rules becomes a
 * {@link BadMessage} and everything after it on the connection is dropped unread.
 */
public final class RequestDecoder extends ByteToMessageDecoder {

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int BAD = 2;

    private final HeadFinder finder;
    private final BodyFramer framer;
    private int state = HEAD;

    /** @param maxHeaderSize larger heads get 431; request lines over 8 KiB get 414 */
    public RequestDecoder(int maxHeaderSize) {
        this.finder = new HeadFinder(maxHeaderSize, 8192, 431, 414, 400);
        this.framer = new BodyFramer(400, maxHeaderSize);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable()) {
                if (state == HEAD) {
                    skipEmptyLines(in);
                    int length = in.isReadable() ? finder.find(in) : -1;
                    if (length < 0) {
                        return;
                    }
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
}
