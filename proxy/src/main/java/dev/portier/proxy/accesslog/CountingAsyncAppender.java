package dev.portier.proxy.accesslog;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's async appender (never blocking) that counts the lines it drops, which Logback itself
 * drops silently. The count is close, not exact: the queue can fill between the check and the offer.
 */
final class CountingAsyncAppender extends AsyncAppender {

    private final LongAdder dropped;

    CountingAsyncAppender(LongAdder dropped) {
        this.dropped = dropped;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (isStarted() && getRemainingCapacity() == 0) {
            dropped.increment();
            return;
        }
        super.append(event);
    }
}
