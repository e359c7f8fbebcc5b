package dev.portier.proxy.accesslog;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-day files as several processes share them, and the async queue when the disk falls behind. */
class LogFilesTest {

    private static final Pattern WHOLE = Pattern.compile("^10\\.0\\.0\\.[12] - - \\[[^\\]]+\\] \"GET /(parent|child)-\\d+ "
            + "HTTP/1\\.1\" 200 5 \"-\" \"(parent|child)\" \"multi\\.test\" 0\\.001 0\\.000 multi\\.test "
            + "http://127\\.0\\.0\\.1:1 200 1 0 0$");

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
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
                async.doAppend(new LoggingEvent("x", ctx.getLogger("x"), ch.qos.logback.classic.Level.INFO, "line " + i,
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
