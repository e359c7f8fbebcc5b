package dev.portier.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.config.ProxySettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ctrl-C on a script that runs the proxy sends SIGINT to the whole group and the script's own
 * clean-up a SIGTERM after it: two drains (and the JVM's shutdown hook) stop the same server at
 * once, and it must stop exactly once, with every caller returning.
 */
class ConcurrentStopTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @Test
    void stoppedFromThreeThreadsAtOnceItStopsOnceAndEveryCallerReturns() throws Exception {
        // closed twice at once, Lettuce warned "Connection is already closed" at every stop
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
                new ch.qos.logback.core.read.ListAppender<>();
        warnings.start();
        root.addAppender(warnings);
        try {
            stopFromThreeThreads();
        } finally {
            root.detachAppender(warnings);
        }
        List<String> stopWarnings = warnings.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("already closed")).toList();
        assertEquals(List.of(), stopWarnings, "what a stop logged");
    }

    private void stopFromThreeThreads() throws Exception {
        for (int round = 0; round < 5; round++) {
            ProxySettings settings = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                    RedisDriverUrl.parse(redis.driverUrl()));
            ProxyServer server = ProxyServer.start(settings);
            CountDownLatch go = new CountDownLatch(1);
            ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
            List<Thread> stoppers = new ArrayList<>();
            for (Runnable stop : List.<Runnable>of(() -> server.shutdownGracefully(Duration.ofSeconds(5)),
                    () -> server.shutdownGracefully(Duration.ofSeconds(5)), server::close)) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        stop.run();
                    } catch (Throwable e) {
                        thrown.add(e);
                    }
                });
                t.start();
                stoppers.add(t);
            }
            go.countDown();
            for (Thread t : stoppers) {
                t.join(TimeUnit.SECONDS.toMillis(20));
                assertTrue(!t.isAlive(), "a stopping thread still runs after 20 s");
            }
            assertEquals(List.of(), List.copyOf(thrown));
            Thread waiter = new Thread(() -> {
                try {
                    server.awaitClose();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            waiter.join(TimeUnit.SECONDS.toMillis(5));
            assertTrue(!waiter.isAlive(), "awaitClose (what main waits on) did not return");
        }
    }
}
