package dev.portier.proxy.relay;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The clock on a request body the relay is waiting for: an upload that stops mid-way gets 408
 * instead of holding a client and a backend connection. Only silence while the relay wants bytes
 * counts; while it holds the body back for a slow backend, the clock starts over.
 */
final class BodyDeadline {

    private final EventExecutor executor;
    private final long timeoutNanos;
    private final BooleanSupplier waiting;
    private final LongConsumer expired;
    private ScheduledFuture<?> check;
    private long lastNanos;

    /**
     * @param waiting whether the relay is waiting for the client's body right now
     * @param expired called with the silence in ms when it reached the timeout
     */
    BodyDeadline(EventExecutor executor, long timeoutNanos, BooleanSupplier waiting, LongConsumer expired) {
        this.executor = executor;
        this.timeoutNanos = timeoutNanos;
        this.waiting = waiting;
        this.expired = expired;
    }

    /** Starts the clock, unless it runs already or there is no limit. */
    void arm() {
        if (timeoutNanos > 0 && check == null) {
            lastNanos = System.nanoTime();
            check = executor.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Body bytes came. */
    void progress() {
        lastNanos = System.nanoTime();
    }

    void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void check() {
        check = null;
        long silent = System.nanoTime() - lastNanos;
        if (!waiting.getAsBoolean()) {
            lastNanos = System.nanoTime();
            check = executor.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        } else if (silent >= timeoutNanos) {
            expired.accept(silent / 1_000_000);
        } else {
            check = executor.schedule(this::check, timeoutNanos - silent, TimeUnit.NANOSECONDS);
        }
    }
}
