package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.io.EOFException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which silence each deadline counts: the backend timeout only the backend's (not a client that
 * stops reading, nor an upload still coming), the head deadline a trickled head (not an idle
 * kept-alive connection), the body deadline a stalled upload.
 */
class DeadlinesEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(2);

    private ProxyHarness h;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aClientThatStopsReadingLongerThanTheBackendTimeoutStillGetsTheWholeBody() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.backend", BACKEND_TIMEOUT));
        int size = 20 << 20;
        byte[] body = RawHttp.pattern(size, 42);
        RawBackend backend = h.track(RawBackend.start((socket, in, out, b) -> {
            RawHttp.Message head = RawHttp.readHead(in);
            RawHttp.readBody(in, head, false, false);
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + size + "\r\n\r\n");
            for (int off = 0; off < size; off += 65536) {
                int n = Math.min(65536, size - off);
                out.write(body, off, n);
                b.bytesOut.addAndGet(n);
            }
            out.flush();
            while (in.read() != -1) {
                // until the proxy closes or pools the connection
            }
        }));
        h.route("h", "h", backend.url());
        RawClient client = h.track(new RawClient(h.port(), 16384));
        RawHttp.Message head = client.send("GET /big HTTP/1.1\r\nHost: h\r\n\r\n").readHead();
        assertEquals(200, head.status());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(client.readBytes(65536));

        // the client now reads nothing: every buffer on the way fills, the backend can no longer
        // write, and stays blocked for longer than the backend timeout
        awaitStalled(backend.bytesOut, BACKEND_TIMEOUT.plusMillis(1500), Duration.ofSeconds(30));
        assertTrue(backend.bytesOut.get() < size, "the backend was never held back: the body fit in the buffers");

        byte[] rest = client.readBytes(size - 65536);
        assertEquals(size - 65536, rest.length, "the response was cut after "
                + (65536 + rest.length) + " of " + size + " bytes");
        sha.update(rest);
        assertEquals(RawHttp.sha256Of(body), HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void aSlowUploadToASlowBackendIsNotCutAtTheBackendTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.backend", BACKEND_TIMEOUT).with("timeouts.body", Duration.ofSeconds(10)));
        RawBackend backend = h.track(RawBackend.http((req, out) -> RawHttp.write(out,
                "HTTP/1.1 200 OK\r\ncontent-length: " + req.bodyLength() + "\r\n\r\n" + req.bodyText())));
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        String[] pieces = {"one-", "two-", "three-", "four-", "five"};
        int length = String.join("", pieces).length();
        client.send("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\n");
        // the uploader's pace is the scenario: a piece a second, with one pause longer than the
        // backend timeout (the backend cannot answer before it has the whole body)
        long[] pausesMs = {1000, 1000, 3000, 1000, 1000};
        for (int i = 0; i < pieces.length; i++) {
            TimeUnit.MILLISECONDS.sleep(pausesMs[i]);
            client.send(pieces[i]);
        }
        RawHttp.Message r = client.read();
        assertEquals(200, r.status());
        assertEquals(String.join("", pieces), r.bodyText());
    }

    @Test
    void aBackendThatStaysSilentGets504AfterTheBackendTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.backend", BACKEND_TIMEOUT));
        RawBackend backend = h.track(RawBackend.start((socket, in, out, b) -> {
            while (in.read() != -1) {
                // reads the request and never answers
            }
        }));
        h.route("h", "h", backend.url());
        long start = System.nanoTime();
        RawHttp.Message r = h.client().send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(504, r.status());
        assertTrue(ms >= BACKEND_TIMEOUT.toMillis() - 100 && ms < BACKEND_TIMEOUT.toMillis() + 3000,
                "504 after " + ms + " ms");
    }

    @Test
    void aHeadTrickledAByteAtATimeGets408AtTheHeadDeadline() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.header", Duration.ofSeconds(1)));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("never")));
        h.route("a", "a", backend.url());
        RawClient client = h.client();
        client.send("GET / HTTP/1.1\r\nHost: a\r\n");
        Thread trickle = new Thread(() -> {
            try {
                while (true) {
                    // the attack's pace, not a synchronisation
                    TimeUnit.MILLISECONDS.sleep(300);
                    client.send("x");
                }
            } catch (Exception e) {
                // the proxy closed the connection (or the test ended)
            }
        }, "trickle");
        trickle.setDaemon(true);
        trickle.start();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                int s = client.read().status();
                return client.closedByPeer() ? s : -s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(status::isDone);
            assertEquals(408, status.join(), "408 and then the connection closed");
        } finally {
            client.close();
            trickle.interrupt();
            trickle.join(5000);
        }
        assertEquals(0, backend.accepted.get(), "a backend was contacted for a head never completed");
        assertEquals(0, backend.bytesIn.get());
    }

    @Test
    void anIdleKeptAliveConnectionIsNotCutByTheHeadDeadline() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.header", Duration.ofSeconds(1)));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("ok")));
        h.route("a", "a", backend.url());
        RawClient client = h.client();
        assertEquals("ok", client.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText());
        // idle (no byte at all) for more than twice the head deadline: still open
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> h.proxy().openConnections() == 1);
        assertEquals("ok", client.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText());
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheClientIdleTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.clientIdle", Duration.ofMillis(500)));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("ok")));
        h.route("a", "a", backend.url());
        RawClient client = h.client();
        assertEquals("ok", client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText());
        long answered = System.nanoTime();

        assertTrue(client.closedByPeer(), "an idle kept-alive connection should be closed");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
        assertTrue(ms >= 450 && ms < 5000, "closed " + ms + " ms after the answer");
        await().atMost(Duration.ofSeconds(5)).until(() -> h.proxy().openConnections() == 0);
    }

    @Test
    void aRequestWaitingOnASlowBackendIsNotCutByTheClientIdleTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.clientIdle", Duration.ofMillis(300)));
        RawBackend backend = h.track(RawBackend.start((socket, in, out, b) -> {
            RawHttp.readHead(in);
            // the backend's pace is the scenario: it answers after three client idle periods
            TimeUnit.MILLISECONDS.sleep(1000);
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow");
            while (in.read() != -1) {
                // until the proxy closes or pools the connection
            }
        }));
        h.route("a", "a", backend.url());
        RawClient client = h.client();

        RawHttp.Message r = client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();

        assertEquals(200, r.status());
        assertEquals("slow", r.bodyText());
        assertTrue(client.closedByPeer(), "idle again after the answer: closed");
    }

    @Test
    void aClientThatKeepsAskingIsNotCutByTheClientIdleTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.clientIdle", Duration.ofMillis(500)));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("ok")));
        h.route("a", "a", backend.url());
        RawClient client = h.client();
        // ten requests 200 ms apart: four idle periods in all, never one without a request
        for (int i = 0; i < 10; i++) {
            assertEquals("ok", client.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText(),
                    "request " + i);
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertEquals(1, h.proxy().openConnections(), "the client's connection is still the one open");
    }

    @Test
    void aStalledUploadGets408AndItsBackendConnectionIsClosed() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.body", Duration.ofSeconds(1)));
        AtomicLong partialSeen = new AtomicLong();
        RawBackend backend = h.track(RawBackend.start((socket, in, out, b) -> {
            while (true) {
                RawHttp.Message head = RawHttp.readHead(in);
                if (head == null) {
                    b.eofs.incrementAndGet();
                    return;
                }
                RawHttp.Message req;
                try {
                    req = RawHttp.readBody(in, head, false, false);
                } catch (EOFException e) {
                    // the proxy closed the connection holding the partial request
                    partialSeen.incrementAndGet();
                    b.eofs.incrementAndGet();
                    return;
                }
                b.requests.add(req);
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            }
        }));
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        client.send("POST /stall HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                RawHttp.Message r = client.read();
                return r.status() + (client.closedByPeer() ? " closed" : " open");
            } catch (Exception e) {
                return "no response: " + e;
            }
        });
        await().atMost(Duration.ofSeconds(6)).until(outcome::isDone);
        assertEquals("408 closed", outcome.join());
        await().atMost(Duration.ofSeconds(5)).until(() -> partialSeen.get() == 1);

        RawHttp.Message next = h.client().send("POST /next HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz").read();
        assertEquals(200, next.status());
        assertEquals("ok", next.bodyText());
        assertEquals(1, backend.requests.size());
        assertEquals("/next", backend.requests.get(0).uri());
        assertEquals(2, backend.accepted.get(), "the connection with the partial request was used again");
    }

    /** Waits until {@code counter} has not moved for {@code quiet}. */
    private static void awaitStalled(AtomicLong counter, Duration quiet, Duration atMost) {
        long[] last = {-1, 0};
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            long v = counter.get();
            long now = System.nanoTime();
            if (v != last[0]) {
                last[0] = v;
                last[1] = now;
                return false;
            }
            return now - last[1] >= quiet.toNanos();
        });
    }
}
