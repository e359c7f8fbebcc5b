package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The backend side's HTTP/1.1 parser: turns a backend's bytes into a {@link ResponseHead} and the
 * {@link BodyPart}s of its body, the last one marked. It must be told before each request whether
 * it is a HEAD (whose response has no body whatever its headers say). After a whole final response
 * it stops until told of the next request: a backend sends nothing unasked, so bytes past the end of
 * a response stay unread and make the connection unfit for reuse ({@link #isClean}). After a 101 it
 * stops, and what follows stays in its buffer for the tunnel that replaces it.
 */
public final class ResponseDecoder extends ByteToMessageDecoder {

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int SWITCHED = 2;
    private static final int BAD = 3;
    private static final int DONE = 4;

    private final HeadFinder finder;
    private final BodyFramer framer;
    private int state = HEAD;
    private boolean headRequest;
    private boolean dechunk;

    public ResponseDecoder(int maxHeaderSize) {
        this.finder = new HeadFinder(maxHeaderSize, 8192, 502, 502, 502);
        this.framer = new BodyFramer(502, maxHeaderSize);
    }

    /**
     * Says what the next response answers.
     *
     * @param head    the request is a HEAD
     * @param dechunk take chunked framing off (the client speaks HTTP/1.0)
     */
    public void expect(boolean head, boolean dechunk) {
        this.headRequest = head;
        this.dechunk = dechunk;
        if (state == DONE) {
            state = HEAD;
        }
    }

    /** A whole response was read and nothing after it: the connection can serve another request. */
    public boolean isClean() {
        return state == DONE && actualReadableBytes() == 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable()) {
                if (state == HEAD) {
                    int length = finder.find(in);
                    if (length < 0) {
                        return;
                    }
                    byte[] bytes = new byte[length];
                    in.readBytes(bytes);
                    ResponseHead head = ResponseHead.parse(bytes);
                    out.add(head);
                    int status = head.status();
                    if (status == 101) {
                        state = SWITCHED;
                        out.add(BodyPart.EMPTY_LAST);
                        return;
                    }
                    if (status < 200) {
                        out.add(BodyPart.EMPTY_LAST);
                        continue;
                    }
                    if (status == 204 || status == 304 || headRequest) {
                        out.add(BodyPart.EMPTY_LAST);
                        state = DONE;
                        return;
                    }
                    if (head.isChunked()) {
                        framer.start(BodyFramer.Mode.CHUNKED, -1, dechunk);
                    } else if (head.contentLength() > 0) {
                        framer.start(BodyFramer.Mode.LENGTH, head.contentLength(), false);
                    } else if (head.contentLength() == 0) {
                        out.add(BodyPart.EMPTY_LAST);
                        state = DONE;
                        return;
                    } else {
                        framer.start(BodyFramer.Mode.UNTIL_CLOSE, -1, false);
                    }
                    state = BODY;
                } else if (state == BODY) {
                    if (!framer.decode(in, out)) {
                        return;
                    }
                    state = DONE;
                    return;
                } else if (state == SWITCHED) {
                    // the tunnel takes these bytes when it replaces this decoder
                    return;
                } else if (state == DONE) {
                    // a backend sends nothing unasked: the bytes stay unread (isClean says so to the
                    // exchange still ending), and whoever holds the connection next is told to drop it
                    throw new BadMessageException(502, "bytes after the end of a response");
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

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (state == BODY && framer.endOfInput(out)) {
            state = DONE;
        }
    }
}
