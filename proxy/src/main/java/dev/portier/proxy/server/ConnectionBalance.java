package dev.portier.proxy.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chooses the event loop of each accepted client connection. With one listening socket per loop
 * (SO_REUSEPORT) the kernel spreads connections by a hash of their addresses, which leaves loops
 * unevenly loaded: 64 kept-alive connections split 36/28 as often as not, and the busier loop sets
 * the tail latency. A connection therefore stays on the loop that accepted it, at no cost, unless
 * that loop already serves clearly more connections than the least busy one; then it moves there
 * (a task and a wake-up, once in the connection's life).
 *
 * <p>Only while no connection has closed for a moment ({@link #CHURN_WINDOW}): among connections
 * that come and go (a request each) the counts swing by several at every instant, the rule above
 * moved four in ten of them for nothing, and such connections even out by themselves. A burst of
 * long-lived ones (wrk starting, a load balancer's pool opening) comes with no closes and is spread.
 *
 * <p>The loops are this chooser's group; {@link ConnectionLimiter} counts each loop's open connections here.
 * Other uses of the group's {@code next()} (timers, off-loop callers) get the least busy loop.
 */
public final class ConnectionBalance implements EventExecutorChooserFactory {

    private volatile EventExecutor[] loops = new EventExecutor[0];
    /**
     * Each loop's count, {@link #STRIDE} slots apart: counts next to each other share a cache line,
     * and every connection's open and close on one loop would take that line from the other's core.
     */
    private volatile AtomicIntegerArray open = new AtomicIntegerArray(0);
    static final int STRIDE = 16;
    /**
     * Connections moved to each loop and counted there already, whose activation on that loop is
     * still to come: counted only at activation, a moving connection went uncounted for a task's
     * delay, and the next ones followed it; under churn that sent every other connection across.
     */
    private volatile AtomicIntegerArray arriving = new AtomicIntegerArray(0);
    private final LongAdder moves = new LongAdder();
    /** How long after a connection closed the loops are left to the kernel's spread. */
    static final Duration CHURN_WINDOW = Duration.ofMillis(50);
    private final long churnWindowNanos;
    /**
     * When a client connection last closed (nanoTime), to the millisecond: read at every accept,
     * written by a close only when a millisecond has passed (a write at every close passed this
     * line between the loops' cores as often).
     */
    private volatile long lastCloseNanos;
    private static final long CLOSE_STAMP_NANOS = 1_000_000;

    public ConnectionBalance() {
        this(CHURN_WINDOW);
    }

    ConnectionBalance(Duration churnWindow) {
        this.churnWindowNanos = churnWindow.toNanos();
        this.lastCloseNanos = System.nanoTime() - churnWindowNanos;
    }

    @Override
    public EventExecutorChooser newChooser(EventExecutor[] executors) {
        loops = executors.clone();
        open = new AtomicIntegerArray(executors.length * STRIDE);
        arriving = new AtomicIntegerArray(executors.length);
        return this::choose;
    }

    /** Open client connections on each loop, in the group's order (read racily: a gauge). */
    public int[] openPerLoop() {
        AtomicIntegerArray counts = open;
        int[] out = new int[counts.length() / STRIDE];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i * STRIDE);
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
            int c = counts.get(i * STRIDE);
            if (c < leastCount) {
                leastCount = c;
                least = i;
            }
        }
        if (current < 0) {
            return all[least];
        }
        if (counts.get(current * STRIDE) - leastCount <= slack(leastCount)
                || System.nanoTime() - lastCloseNanos < churnWindowNanos) {
            return all[current];
        }
        // counted on its new loop now (a call that moves nothing is made good by the next arrival)
        counts.incrementAndGet(least * STRIDE);
        arriving.incrementAndGet(least);
        moves.increment();
        return all[least];
    }

    /** Connections moved to another loop than the one that accepted them, since start. */
    public long moves() {
        return moves.sum();
    }

    /**
     * How many more connections than the least busy loop a loop may keep: a little, so that loops
     * near the balance do not pass connections back and forth, and relatively more as the counts
     * grow.
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

    /** Counts an admitted connection on its loop ({@link ConnectionLimiter} calls it at channel activation). */
    void opened(EventExecutor loop) {
        int i = indexOf(loop);
        if (i >= 0 && !arrived(i)) {
            open.incrementAndGet(i * STRIDE);
        }
    }

    /**
     * A connection on {@code loop} turned away at the limit: never counted by {@link #opened}, but a
     * move to this loop may have counted it already, and no later arrival may come to take that over.
     */
    void refused(EventExecutor loop) {
        int i = indexOf(loop);
        if (i >= 0 && arrived(i)) {
            open.decrementAndGet(i * STRIDE);
        }
    }

    /** Takes one connection counted at its move to loop {@code i}, if one is due. */
    private boolean arrived(int i) {
        AtomicIntegerArray due = arriving;
        int n;
        do {
            n = due.get(i);
            if (n == 0) {
                return false;
            }
        } while (!due.compareAndSet(i, n, n - 1));
        return true;
    }

    /** Uncounts a connection that {@link #opened} counted, when it closes. */
    void closed(EventExecutor loop) {
        long now = System.nanoTime();
        if (now - lastCloseNanos >= CLOSE_STAMP_NANOS) {
            lastCloseNanos = now;
        }
        int i = indexOf(loop);
        if (i >= 0) {
            open.decrementAndGet(i * STRIDE);
        }
    }
}
