package dev.portier.proxy.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Chooses the event loop of each accepted client connection. With one listening socket per loop
 * (SO_REUSEPORT) the kernel spreads connections by a hash of their addresses, which leaves loops
 * unevenly loaded: 64 kept-alive connections split 36/28 as often as not, and the busier loop sets
 * the tail latency. A connection therefore stays on the loop that accepted it, at no cost, unless
 * that loop already serves clearly more connections than the least busy one; then it moves there
 * (a task and a wake-up, once in the connection's life).
 *
 * <p>The loops are this chooser's group; {@link #counter()} counts each loop's open connections.
 * Other uses of the group's {@code next()} (timers, off-loop callers) get the least busy loop.
 */
public final class ConnectionBalance implements EventExecutorChooserFactory {

    private volatile EventExecutor[] loops = new EventExecutor[0];
    private volatile AtomicIntegerArray open = new AtomicIntegerArray(0);
    private final Counter counter = new Counter();

    @Override
    public EventExecutorChooser newChooser(EventExecutor[] executors) {
        loops = executors.clone();
        open = new AtomicIntegerArray(executors.length);
        return this::choose;
    }

    /** The handler that keeps the counts: one instance, first in every client pipeline. */
    public ChannelHandler counter() {
        return counter;
    }

    /** Open client connections on each loop, in the group's order (read racily: a gauge). */
    public int[] openPerLoop() {
        AtomicIntegerArray counts = open;
        int[] out = new int[counts.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    EventExecutor choose() {
        EventExecutor[] all = loops;
        AtomicIntegerArray counts = open;
        int current = -1;
        int least = 0;
        int leastCount = Integer.MAX_VALUE;
        for (int i = 0; i < all.length; i++) {
            if (all[i].inEventLoop()) {
                current = i;
            }
            int c = counts.get(i);
            if (c < leastCount) {
                leastCount = c;
                least = i;
            }
        }
        if (current >= 0 && counts.get(current) - leastCount <= slack(leastCount)) {
            return all[current];
        }
        return all[least];
    }

    /**
     * How many more connections than the least busy loop a loop may keep: a little, so that short
     * connections coming and going do not make every other one move, and relatively more as the
     * counts grow.
     */
    static int slack(int leastCount) {
        return 1 + leastCount / 16;
    }

    private int indexOf(EventExecutor loop) {
        EventExecutor[] all = loops;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == loop) {
                return i;
            }
        }
        return -1;
    }

    /** Counts a connection on its loop from active to inactive. */
    @ChannelHandler.Sharable
    private final class Counter extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            int i = indexOf(ctx.channel().eventLoop());
            if (i >= 0) {
                open.incrementAndGet(i);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            int i = indexOf(ctx.channel().eventLoop());
            if (i >= 0) {
                open.decrementAndGet(i);
            }
            ctx.fireChannelInactive();
        }
    }
}
