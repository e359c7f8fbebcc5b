package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * Bytes of a message body as they are on the wire (chunked framing included, unless the decoder
 * was asked to take it off), already checked to follow the framing; {@code last} ends the body.
 */
public final class BodyPart extends DefaultByteBufHolder {

    /** The end of a body that has nothing more to carry (a bodyless message, or framing already sent). */
    public static final BodyPart EMPTY_LAST = new BodyPart(Unpooled.EMPTY_BUFFER, true);

    private final boolean last;
    private final int payload;

    public BodyPart(ByteBuf content, boolean last) {
        this(content, last, content.readableBytes());
    }

    /** @param payload how many of the bytes are the body's own (not chunk framing) */
    public BodyPart(ByteBuf content, boolean last, int payload) {
        super(content);
        this.last = last;
        this.payload = payload;
    }

    public boolean isLast() {
        return last;
    }

    /** The body's own bytes in this part, chunk framing not counted (what access logs report). */
    public int payload() {
        return payload;
    }
}
