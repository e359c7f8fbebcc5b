package dev.portier.proxy.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * What the request parser handed on and the exchange has not taken yet: pipelined requests, body
 * parts waiting for a backend that can take them. Messages are taken in order, one at a time, when
 * the exchange can use them; the socket is read again (auto-read is off) only when the inbox is
 * empty and the exchange wants more, so one client never buffers more than one read's worth.
 */
final class ClientInbox {

    /** The exchange's side. */
    interface Taker {
        /** Handles {@code msg} if it can now; false leaves it first in the inbox. */
        boolean take(Object msg);

        /** Whether the exchange wants more of what the client sends. */
        boolean wantsMore();

        /** A socket read was just asked for. */
        void reading();
    }

    private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
    private final ChannelHandlerContext ctx;
    private final Taker taker;
    private boolean pumping;
    private boolean again;
    private boolean reading;

    ClientInbox(ChannelHandlerContext ctx, Taker taker) {
        this.ctx = ctx;
        this.taker = taker;
    }

    void add(Object msg) {
        queue.add(msg);
        pump();
    }

    /** A socket read cycle ended: a read is pending again only if asked for. */
    void readComplete() {
        reading = false;
        pump();
    }

    /** Whether the exchange waits on the client: nothing left here and a read is pending. */
    boolean waitingOnClient() {
        return reading && queue.isEmpty();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Hands the exchange what it can take now, then asks for more bytes when it wants them. Re-entrant. */
    void pump() {
        if (pumping) {
            again = true;
            return;
        }
        pumping = true;
        try {
            do {
                again = false;
                Object next;
                while ((next = queue.peek()) != null && taker.take(next)) {
                    queue.poll();
                }
            } while (again);
            if (queue.isEmpty() && !reading && taker.wantsMore()) {
                reading = true;
                taker.reading();
                ctx.read();
            }
        } finally {
            pumping = false;
        }
    }

    /** Drops everything still waiting (the connection is closing). */
    void clear() {
        Object m;
        while ((m = queue.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }
}
