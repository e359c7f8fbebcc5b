package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Only the client's silence while the relay waits for its body counts; the clock restarts on progress. */
class BodyDeadlineTest {

    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final AtomicBoolean waiting = new AtomicBoolean(true);
    private final AtomicLong expiredAfterMs = new AtomicLong(-1);
    private final BodyDeadline deadline = new BodyDeadline(loop, TIMEOUT_NANOS, waiting::get, expiredAfterMs::set);

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSilentUploadExpires() {
        loop.execute(deadline::arm);
        await().atMost(Duration.ofSeconds(3)).until(() -> expiredAfterMs.get() >= 0);
        assertTrue(expiredAfterMs.get() >= 150, "expired after " + expiredAfterMs.get() + " ms");
    }

    @Test
    void progressKeepsItAlive() {
        loop.execute(deadline::arm);
        loop.scheduleAtFixedRate(deadline::progress, 30, 30, TimeUnit.MILLISECONDS);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> expiredAfterMs.get() < 0);
    }

    @Test
    void silenceWhileTheRelayHoldsTheBodyBackDoesNotCount() {
        waiting.set(false);
        loop.execute(deadline::arm);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> expiredAfterMs.get() < 0);
        waiting.set(true);
        await().atMost(Duration.ofSeconds(3)).until(() -> expiredAfterMs.get() >= 0);
    }

    @Test
    void aCancelledDeadlineNeverFires() {
        loop.execute(() -> {
            deadline.arm();
            deadline.cancel();
        });
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> expiredAfterMs.get() < 0);
    }
}
