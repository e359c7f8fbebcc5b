package dev.portier.proxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The async queue in front of the day files (set up as LogFiles does): when the disk falls behind it drops and counts lines, never blocks. */
class CountingAsyncAppenderTest {

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        CountDownLatch release = new CountDownLatch(1);
        AppenderBase<ILoggingEvent> stuckDisk = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        stuckDisk.setContext(ctx);
        stuckDisk.start();
        LongAdder dropped = new LongAdder();
        CountingAsyncAppender async = new CountingAsyncAppender(dropped);
        async.setContext(ctx);
        async.setQueueSize(4);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.addAppender(stuckDisk);
        async.start();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                async.doAppend(new LoggingEvent("x", ctx.getLogger("x"), Level.INFO, "line " + i,
                        null, null));
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "appending blocked");
            // four wait in the queue, a few were taken by the stuck writer before it stuck: the rest are counted
            assertTrue(dropped.sum() >= 80 && dropped.sum() <= 96, "dropped " + dropped.sum() + " started "
                    + async.isStarted() + " queued " + async.getNumberOfElementsInQueue() + " "
                    + ctx.getStatusManager().getCopyOfStatusList());
        } finally {
            release.countDown();
            async.stop();
            ctx.stop();
        }
    }
}
