package dev.portier.proxy.relay;

import dev.portier.proxy.wire.HeadWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * A proxied response on its way to the client. The head is held until the body's first part,
 * which usually came in the same read, so a small body goes out in the head's buffer (one send, not
 * a writev of two); a body the backend ends by closing is re-chunked for HTTP/1.1 clients.
 */
final class ResponseWriter {

    /** Bodies up to this size are copied into the buffer of the head they follow. */
    static final int MERGE_LIMIT = 4096;

    private final ChannelHandlerContext ctx;
    private ByteBuf heldHead;
    private boolean chunk;
    private boolean wrote;

    ResponseWriter(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** A new exchange: nothing of it has gone to the client. */
    void begin() {
        drop();
        chunk = false;
        wrote = false;
    }

    /** Whether any byte of this exchange's response went to the client (then no error page can follow). */
    boolean wrote() {
        return wrote;
    }

    /** Writes an interim (1xx) or switching (101) head as it is. */
    void passOn(ByteBuf head) {
        write(head);
    }

    /** Holds the final response's head until its first body part or the end of the read. */
    void hold(ByteBuf head, boolean chunkBody) {
        heldHead = head;
        chunk = chunkBody;
    }

    void body(ByteBuf data) {
        if (heldHead != null) {
            data = writeHeldHead(data);
        }
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
        } else if (chunk) {
            write(HeadWriter.chunkStart(ctx.alloc(), n));
            write(data);
            write(HeadWriter.chunkEnd(ctx.alloc()));
        } else {
            write(data);
        }
    }

    /** The body ended: the last chunk when re-chunking. */
    void end() {
        if (chunk) {
            write(HeadWriter.LAST_CHUNK.duplicate());
        }
    }

    /** Sends what was written, the held head included. */
    void flush() {
        if (heldHead != null) {
            writeHeldHead(null);
        }
        ctx.flush();
    }

    /** Forgets a held head that will never be sent (the backend failed before its body). */
    void drop() {
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
    }

    private ByteBuf writeHeldHead(ByteBuf data) {
        ByteBuf head = heldHead;
        heldHead = null;
        if (data != null && data.readableBytes() > 0 && data.readableBytes() <= MERGE_LIMIT && !chunk) {
            head.writeBytes(data);
            data.release();
            data = Unpooled.EMPTY_BUFFER;
        }
        write(head);
        return data;
    }

    private void write(ByteBuf bytes) {
        wrote = true;
        ctx.write(bytes, ctx.voidPromise());
    }
}
