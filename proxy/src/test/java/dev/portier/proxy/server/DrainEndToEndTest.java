package dev.portier.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A graceful stop tells every open client connection, on whichever loop it lives: idle ones close at once, busy ones after their answer. */
class DrainEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void idleConnectionsCloseAtOnceAndTheOneInFlightGetsItsAnswer() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend fast = h.track(RawBackend.http(RawBackend.text("ok")));
        h.route("fast.test", "fast", fast.url());
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        RawBackend slow = h.track(RawBackend.start((socket, in, out, b) -> {
            RawHttp.readHead(in);
            arrived.countDown();
            answer.await();
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nlate");
            while (in.read() != -1) {
                // until the proxy closes the connection
            }
        }));
        h.route("slow.test", "slow", slow.url());
        // kept-alive connections until both event loops hold some (the kernel spreads them by a hash)
        List<RawClient> idle = new ArrayList<>();
        while (idle.size() < 4 || Arrays.stream(h.proxy().openConnectionsPerLoop()).min().orElse(0) == 0) {
            assertTrue(idle.size() < 64, "64 connections, all on one loop: " + Arrays.toString(h.proxy().openConnectionsPerLoop()));
            RawClient c = h.client();
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: fast.test\r\n\r\n").read().bodyText());
            idle.add(c);
        }
        RawClient busy = h.client();
        busy.send("GET / HTTP/1.1\r\nHost: slow.test\r\n\r\n");
        assertTrue(arrived.await(5, TimeUnit.SECONDS), "the request never reached the backend");

        Thread drain = new Thread(() -> h.proxy().shutdownGracefully(Duration.ofSeconds(30)), "drain");
        long start = System.nanoTime();
        drain.start();
        try {
            for (int i = 0; i < idle.size(); i++) {
                assertTrue(idle.get(i).closedByPeer(), "idle connection " + i + " was not closed by the drain");
            }
            long idleClosedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(idleClosedMs < 10_000, "idle connections closed " + idleClosedMs + " ms into the drain");
            assertTrue(drain.isAlive(), "the drain ended with an exchange in flight");
        } finally {
            answer.countDown();
        }

        RawHttp.Message r = busy.read();
        assertEquals(200, r.status());
        assertEquals("late", r.bodyText());
        assertEquals("close", r.header("connection"));
        drain.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(drain.isAlive(), "the drain still runs with nothing left open");
    }
}
