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
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Ambiguous or oversized requests are answered by the proxy and never reach a backend. */
class BadInputEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;
    private RawBackend backend;

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private void startWithBackend() throws IOException {
        h = ProxyHarness.start(redis);
        backend = h.track(RawBackend.http(RawBackend.text("should not be reached")));
        h.route("bad.test", "bad", backend.url());
    }

    /** Sends the bytes, expects {@code status} then the connection closed, and the backend untouched. */
    private void assertRefused(String request, int status) throws IOException {
        RawClient client = h.client();
        RawHttp.Message r = client.send(request).read();
        assertEquals(status, r.status());
        assertTrue(client.closedByPeer(), "the connection must be closed after a bad request");
        assertEquals(0, backend.accepted.get() + backend.bytesIn.get(), "the backend must receive nothing");
    }

    @Test
    void contentLengthWithTransferEncodingIs400() throws Exception {
        startWithBackend();
        assertRefused("POST / HTTP/1.1\r\nHost: bad.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: bad.test\r\n\r\n", 400);
    }

    @Test
    void differingContentLengthsAre400() throws Exception {
        startWithBackend();
        assertRefused("POST / HTTP/1.1\r\nHost: bad.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400);
    }

    @Test
    void badChunkSizeIs400() throws Exception {
        startWithBackend();
        assertRefused("POST / HTTP/1.1\r\nHost: bad.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void obsoleteLineFoldingIs400() throws Exception {
        startWithBackend();
        assertRefused("GET / HTTP/1.1\r\nHost: bad.test\r\nX-Folded: first\r\n second\r\n\r\n", 400);
    }

    @Test
    void malformedRequestLineIs400() throws Exception {
        startWithBackend();
        assertRefused("GET / HTXP/1.1\r\nHost: bad.test\r\n\r\n", 400);
    }

    @Test
    void requestLineWithoutVersionIs400() throws Exception {
        startWithBackend();
        assertRefused("GET /\r\nHost: bad.test\r\n\r\n", 400);
    }

    @Test
    void headerBlockOver64KiBIs431() throws Exception {
        startWithBackend();
        assertRefused("GET / HTTP/1.1\r\nHost: bad.test\r\nX-Big: " + "a".repeat(70 * 1024) + "\r\n\r\n", 431);
    }

    @Test
    void connectionsPastTheLimitAreRefusedWhileOpenOnesKeepWorking() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("listeners.maxConnections", 2));
        backend = h.track(RawBackend.http(RawBackend.text("fine")));
        h.route("limit.test", "l", backend.url());
        String get = "GET / HTTP/1.1\r\nHost: limit.test\r\n\r\n";
        RawClient first = h.client();
        RawClient second = h.client();
        assertEquals("fine", first.send(get).read().bodyText());
        assertEquals("fine", second.send(get).read().bodyText());

        RawClient third = h.client();
        RawHttp.Message refused = third.read();

        assertEquals(503, refused.status());
        assertTrue(third.closedByPeer());
        assertEquals("fine", first.send(get).read().bodyText());
        assertEquals("fine", second.send(get).read().bodyText());
    }

    @Test
    void clientVanishingMidBodyClosesItsBackendConnectionAndTheNextRequestUsesAFreshOne() throws Exception {
        h = ProxyHarness.start(redis);
        backend = h.track(RawBackend.start((socket, in, out, b) -> {
            while (true) {
                RawHttp.Message head = RawHttp.readHead(in);
                if (head == null) {
                    b.eofs.incrementAndGet();
                    return;
                }
                try {
                    RawHttp.readBody(in, head, false, false);
                } catch (EOFException e) {
                    b.eofs.incrementAndGet();
                    return;
                }
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext");
            }
        }));
        h.route("vanish.test", "v", backend.url());
        RawClient leaving = h.client();
        leaving.send("POST /upload HTTP/1.1\r\nHost: vanish.test\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(1000));
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.bytesIn.get() > 1000);

        leaving.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> backend.eofs.get() == 1);
        RawHttp.Message next = h.client().send("GET / HTTP/1.1\r\nHost: vanish.test\r\n\r\n").read();
        assertEquals("next", next.bodyText());
        assertEquals(2, backend.accepted.get(), "the half-used connection must not be reused");
    }
}
