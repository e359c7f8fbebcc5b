package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.config.AddressFilter;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The exact bytes with which the proxy was attacked (hardening issue), each answered as nginx and HAProxy do. */
class HardeningEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** Echoes the request's path in the body, so an answer in the wrong slot shows. */
    private RawBackend echoPathBackend() throws Exception {
        return h.track(RawBackend.http((req, out) -> {
            String body = req.uri();
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + body.length() + "\r\n\r\n" + body);
        }));
    }

    private static String pipelined(int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            sb.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        return sb.toString();
    }

    @Test
    void pipelinedBatchesAreEachAnsweredInOrder() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        int n = 0;
        for (int batch : new int[] {3, 3, 4, 4, 1, 10, 2, 5}) {
            client.send(pipelined(n, batch));
            for (int i = n; i < n + batch; i++) {
                RawHttp.Message r = client.read();
                assertEquals(200, r.status());
                assertEquals("/p" + i, r.bodyText(), "answer in the slot of request " + i);
            }
            n += batch;
        }
        assertEquals(n, backend.requests.size());
    }

    @Test
    void tenThousandPipelinedRequestsInOneWriteAreAllAnswered() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        int count = 10_000;
        Thread writer = new Thread(() -> {
            try {
                client.send(pipelined(0, count));
            } catch (Exception e) {
                // the reads below fail then
            }
        });
        writer.start();
        for (int i = 0; i < count; i++) {
            RawHttp.Message r = client.read();
            assertEquals("/p" + i, r.bodyText());
        }
        writer.join();
        assertEquals(count, backend.requests.size());
    }

    @Test
    void bytesPastTheEndOfAResponseNeverReachAnotherClient() throws Exception {
        h = ProxyHarness.start(redis);
        List<String> seen = new ArrayList<>();
        RawBackend backend = h.track(RawBackend.http((req, out) -> {
            synchronized (seen) {
                seen.add(req.uri());
            }
            if (req.uri().equals("/first")) {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n"
                        + "Set-Cookie: injected=by-previous-response\r\nX-Pad: ");
            } else {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }));
        h.route("h", "h", backend.url());
        RawClient first = h.client();
        RawHttp.Message r1 = first.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n").read();
        assertEquals("hello", r1.bodyText());
        for (int i = 0; i < 5; i++) {
            RawHttp.Message r = h.client().send("GET /later HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertNull(r.header("set-cookie"), "a head another response left behind reached this client");
            assertEquals("ok", r.bodyText());
        }
    }

    @Test
    void aBodyAnsweredToHeadNeverReachesAnotherClient() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = h.track(RawBackend.http((req, out) -> {
            if (req.method().equals("HEAD")) {
                // the body a HEAD must not carry, shaped as the start of a response head
                RawHttp.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 52\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nX-Injected: yes\r\nX-Pad: ");
            } else {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }));
        h.route("h", "h", backend.url());
        RawHttp.Message r1 = h.client().send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").read(true);
        assertEquals(200, r1.status());
        for (int i = 0; i < 5; i++) {
            RawHttp.Message r = h.client().send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertFalse(r.has("x-injected"), "a HEAD's body was taken for this client's response");
            assertEquals("ok", r.bodyText());
        }
    }

    @Test
    void aMissingHostIsRefusedAndTheConnectionClosed() throws Exception {
        h = ProxyHarness.start(redis);
        RawClient client = h.client();
        assertEquals(400, client.send("GET / HTTP/1.1\r\n\r\n").read().status());
        assertTrue(client.closedByPeer());
        RawClient twice = h.client();
        assertEquals(400, twice.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status());
        assertTrue(twice.closedByPeer());
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthorityAndSentInOriginForm() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend good = h.track(RawBackend.http(RawBackend.text("good")));
        RawBackend evil = h.track(RawBackend.http(RawBackend.text("evil")));
        h.route("good", "good", good.url());
        h.route("evil", "evil", evil.url());
        RawHttp.Message r = h.client().send("GET http://evil/x?y HTTP/1.1\r\nHost: good\r\n\r\n").read();
        assertEquals("evil", r.bodyText(), "RFC 9112 3.2.2: the target's authority wins over Host");
        assertEquals(0, good.requests.size());
        RawHttp.Message sent = evil.requests.get(0);
        assertEquals("GET /x?y HTTP/1.1", sent.firstLine());
        assertEquals("evil", sent.header("host"));
    }

    @Test
    void transferEncodingListsOtherThanChunkedAreRefusedBeforeABackend() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        String body = "5\r\nhello\r\n0\r\n\r\n";
        String[][] cases = {
            {"gzip, chunked", "501"}, {"identity, chunked", "501"}, {"chunked,", "400"}, {",chunked", "400"},
            {"chunked\r\nTransfer-Encoding: chunked", "400"}, {"\"chunked\"", "400"},
        };
        for (String[] c : cases) {
            RawClient client = h.client();
            RawHttp.Message r = client.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + c[0] + "\r\n\r\n"
                    + body).read();
            assertEquals(Integer.parseInt(c[1]), r.status(), "Transfer-Encoding: " + c[0]);
            assertTrue(client.closedByPeer());
        }
        assertEquals(0, backend.accepted.get(), "no backend may frame a body the proxy read differently");
    }

    @Test
    void aBadRequestPipelinedAfterAWholeChunkedOneIsRefusedInItsOwnTurn() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        // the POST's last chunk is held while a backend connection opens: the garbage after it is
        // the next request's, not a broken body of this one
        RawClient client = h.client().send("POST /whole HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\nGARBAGE\r\n\r\n");
        RawHttp.Message first = client.read();
        assertEquals(200, first.status());
        assertEquals("/whole", first.bodyText());
        assertEquals(400, client.read().status());
        assertTrue(client.closedByPeer());
    }

    @Test
    void debugHeadersOnlyForConfiguredAddresses() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("listeners.debugFrom", AddressFilter.parse("10.0.0.0/8")));
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        String debug = "GET / HTTP/1.1\r\nHost: h\r\nX-Debug: 1\r\n\r\n";
        RawHttp.Message proxied = h.client().send(debug).read();
        assertEquals(200, proxied.status());
        assertFalse(proxied.has("x-debug-backend-url"), "a backend's internal address went to a client not allowed to see it");
        RawHttp.Message error = h.client().send("GET / HTTP/1.1\r\nHost: unknown\r\nX-Debug: 1\r\n\r\n").read();
        assertEquals(400, error.status());
        assertFalse(error.has("x-debug-error"));
    }

    @Test
    void debugHeadersForLoopbackByDefault() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = echoPathBackend();
        h.route("h", "h", backend.url());
        RawHttp.Message r = h.client().send("GET / HTTP/1.1\r\nHost: h\r\nX-Debug: 1\r\n\r\n").read();
        assertEquals(backend.url(), r.header("x-debug-backend-url"));
    }

    @Test
    void aMalformedChunkedResponseBeforeAnyByteWentOutIsA502() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = h.track(RawBackend.start((socket, in, out, b) -> {
            RawHttp.readHead(in);
            // head and broken chunk size in one write: nothing of the response can have gone out yet
            RawHttp.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            while (in.read() != -1) {
                // until the proxy closes
            }
        }));
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        RawHttp.Message r = client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
        assertEquals(502, r.status());
    }

    @Test
    void aMalformedFirstChunkIsRefusedBeforeAByteReachesTheBackend() throws Exception {
        // one event loop, so the warm-up's connection is the one the next request would get from the pool
        h = ProxyHarness.start(redis, s -> s.with("listeners.workers", 1));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("warm")));
        h.route("h", "h", backend.url());
        assertEquals("warm", h.client().send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n").read().bodyText());
        long before = backend.bytesIn.get();

        RawClient client = h.client();
        client.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        // the head alone is with the proxy: nothing goes to the backend before the first chunk is read
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> backend.bytesIn.get() == before);
        client.send("zz\r\nhello\r\n0\r\n\r\n");
        assertEquals(400, client.read().status());
        assertTrue(client.closedByPeer());
        assertEquals(before, backend.bytesIn.get(), "bytes of the refused request reached the backend");
        assertEquals(1, backend.accepted.get());
        assertEquals(1, backend.requests.size());
    }

    @Test
    void aThousandPipelinedPostsInOneWriteAreAnsweredInOrder() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend backend = h.track(RawBackend.http((req, out) -> RawHttp.write(out,
                "HTTP/1.1 200 OK\r\ncontent-length: " + req.bodyLength() + "\r\n\r\n" + req.bodyText())));
        h.route("h", "h", backend.url());
        RawClient client = h.client();
        int count = 1000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String body = "body-" + i;
            sb.append("POST /p").append(i).append(" HTTP/1.1\r\nHost: h\r\nContent-Length: ")
                    .append(body.length()).append("\r\n\r\n").append(body);
        }
        String all = sb.toString();
        Thread writer = new Thread(() -> {
            try {
                client.send(all);
            } catch (Exception e) {
                // the reads below fail then
            }
        }, "pipeline-writer");
        writer.start();
        for (int i = 0; i < count; i++) {
            RawHttp.Message r = client.read();
            assertEquals(200, r.status(), "request " + i + ": " + r.bodyText());
            assertEquals("body-" + i, r.bodyText(), "answer in the slot of request " + i);
        }
        writer.join(10_000);
        assertEquals(count, backend.requests.size());
    }
}
