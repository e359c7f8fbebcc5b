package dev.portier.proxy.relay;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections of one event loop, least recently read first, and the sweep that tells
 * those silent for the client idle timeout. Replaces a timer per connection (Netty's
 * IdleStateHandler: a task put in the loop's timer queue at every accept and taken out at every
 * close, and one more pipeline handler) with a move to the tail of this list at each read and one
 * periodic task per loop that looks at the head. A connection is told between one and one and a
 * fraction idle periods after its last read, then again every period while it stays silent.
 * Used on its loop only.
 */
final class IdleClients {

    private static final Logger LOG = LoggerFactory.getLogger(IdleClients.class);
    /** Finest sweep: short timeouts (tests) are kept to within this. */
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Coarsest sweep: a timeout of minutes is kept to within a second. */
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One connection's place in the list. */
    static final class Entry {
        private final Runnable onIdle;
        private Entry prev;
        private Entry next;
        private long lastRead;

        /** @param onIdle called on the loop when the connection has been silent for a whole period */
        Entry(Runnable onIdle) {
            this.onIdle = onIdle;
        }

        boolean listed() {
            return next != null;
        }
    }

    private final long idleNanos;
    /** Sentinel of a circular list: head.next is the least recently read. */
    private final Entry head = new Entry(null);

    /** @param idleNanos silence after which a connection is told; 0 or less: never (no sweep either) */
    IdleClients(EventLoop loop, long idleNanos) {
        this.idleNanos = idleNanos;
        head.prev = head;
        head.next = head;
        if (idleNanos > 0) {
            long every = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, idleNanos / 8));
            loop.scheduleAtFixedRate(this::sweep, every, every, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection read something (or opened): its silence starts again. */
    void touched(Entry e) {
        if (idleNanos <= 0) {
            return;
        }
        e.lastRead = System.nanoTime();
        if (e.next != head) {
            unlink(e);
            linkLast(e);
        }
    }

    /** The connection closed, or no longer wants to be told (it became a tunnel). */
    void remove(Entry e) {
        if (e.listed()) {
            unlink(e);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        Entry e = head.next;
        // a told entry moves to the tail stamped now, so each is told at most once a sweep
        while (e != head && now - e.lastRead >= idleNanos) {
            e.lastRead = now;
            unlink(e);
            linkLast(e);
            try {
                e.onIdle.run();
            } catch (RuntimeException failure) {
                // one connection's failure must not end the sweep: a periodic task that throws is never run again
                LOG.warn("client idle timeout: {}", failure.toString());
            }
            e = head.next;
        }
    }

    private void unlink(Entry e) {
        if (e.next == null) {
            return;
        }
        e.prev.next = e.next;
        e.next.prev = e.prev;
        e.prev = null;
        e.next = null;
    }

    private void linkLast(Entry e) {
        Entry last = head.prev;
        e.prev = last;
        e.next = head;
        last.next = e;
        head.prev = e;
    }
}
