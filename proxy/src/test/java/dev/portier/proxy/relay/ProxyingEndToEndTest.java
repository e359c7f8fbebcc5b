package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Streaming, keep-alive, framing and header rewriting through the real proxy. */
class ProxyingEndToEndTest {

    private static final int BIG = 64 << 20;

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @BeforeEach
    void start() {
        h = ProxyHarness.start(redis);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    /** A keep-alive backend answering 200 with the request's path as body. */
    private RawBackend pathEcho(String host) throws IOException {
        RawBackend b = h.track(RawBackend.http((req, out) -> RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: "
                + req.uri().length() + "\r\n\r\n" + req.uri())));
        h.route(host, "id-" + host, b.url());
        return b;
    }

    /** A backend answering with the SHA-256 and length of the body it received. */
    private RawBackend bodyHasher(String host) throws IOException {
        RawBackend b = h.track(RawBackend.http((req, out) -> {
            String s = req.sha256() + " " + req.bodyLength();
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + s.length() + "\r\n\r\n" + s);
        }));
        h.route(host, "hash", b.url());
        return b;
    }

    @Test
    void largeUploadWithContentLengthArrivesByteForByte() throws Exception {
        RawBackend b = bodyHasher("upload.test");
        byte[] body = RawHttp.pattern(BIG, 1);

        HttpResponse<String> r = h.send(h.request("upload.test", "/up").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertEquals(RawHttp.sha256Of(body) + " " + BIG, r.body());
        assertEquals(String.valueOf(BIG), b.requests.get(0).header("content-length"));
    }

    @Test
    void largeChunkedUploadArrivesByteForByte() throws Exception {
        RawBackend b = bodyHasher("chunked-upload.test");
        byte[] body = RawHttp.pattern(BIG, 2);

        HttpResponse<String> r = h.send(h.request("chunked-upload.test", "/up")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertEquals(RawHttp.sha256Of(body) + " " + BIG, r.body());
        assertEquals("chunked", b.requests.get(0).header("transfer-encoding"));
    }

    @Test
    void largeDownloadArrivesByteForByte() throws Exception {
        byte[] body = RawHttp.pattern(BIG, 3);
        RawBackend b = h.track(RawBackend.http((req, out) -> {
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + body.length + "\r\n\r\n");
            out.write(body);
        }));
        h.route("download.test", "dl", b.url());

        HttpResponse<byte[]> r = h.send(h.request("download.test", "/dl").timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, r.statusCode());
        assertEquals(RawHttp.sha256Of(body), RawHttp.sha256Of(r.body()));
    }

    @Test
    void clientThatNeverReadsStopsTheBackendInsteadOfFillingProxyMemory() throws Exception {
        RawBackend b = h.track(RawBackend.start((socket, in, out, backend) -> {
            socket.setSendBufferSize(64 * 1024);
            RawHttp.readHead(in);
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n"
                    + "content-length: 1099511627776\r\n\r\n");
            byte[] chunk = RawHttp.pattern(64 * 1024, 4);
            while (true) {
                out.write(chunk);
                backend.bytesOut.addAndGet(chunk.length);
            }
        }));
        h.route("endless.test", "endless", b.url());
        RawClient client = h.track(new RawClient(h.port(), 64 * 1024));

        client.send("GET /endless HTTP/1.1\r\nHost: endless.test\r\n\r\n");

        long[] last = {-1};
        int[] stableSamples = {0};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            long now = b.bytesOut.get();
            stableSamples[0] = now > 0 && now == last[0] ? stableSamples[0] + 1 : 0;
            last[0] = now;
            return stableSamples[0] >= 3;
        });
        long written = b.bytesOut.get();
        assertTrue(written < 16L << 20, "the backend could write " + written + " bytes to a client that reads nothing");
    }

    @Test
    void keepAliveRequestsShareOneBackendConnection() throws Exception {
        RawBackend b = pathEcho("keepalive.test");
        RawClient client = h.client();

        for (int i = 0; i < 5; i++) {
            RawHttp.Message r = client.send("GET /r" + i + " HTTP/1.1\r\nHost: keepalive.test\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("/r" + i, r.bodyText());
        }

        assertEquals(5, b.requests.size());
        assertEquals(1, b.accepted.get(), "every request should reuse the kept-alive backend connection");
    }

    @Test
    void anH2cUpgradeRequestIsServedAsPlainHttp11() throws Exception {
        RawBackend b = pathEcho("h2c.test");
        RawHttp.Message r = h.client().send("GET /h2c HTTP/1.1\r\nHost: h2c.test\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n").read();
        assertEquals(200, r.status());
        RawHttp.Message seen = b.requests.get(0);
        assertFalse(seen.has("upgrade"), "h2c must not reach the backend: " + seen.headers());
        assertFalse(seen.has("http2-settings"), seen.headers().toString());
    }

    @Test
    void hopByHopRequestHeadersAreNotForwarded() throws Exception {
        RawBackend b = pathEcho("hop.test");

        RawHttp.Message r = h.client().send("GET /hop HTTP/1.1\r\nHost: hop.test\r\n"
                + "Connection: keep-alive, X-Hop-Custom\r\nX-Hop-Custom: secret\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-Checksum\r\nUpgrade: h2c\r\n"
                + "X-End-To-End: kept\r\n\r\n").read();

        assertEquals(200, r.status());
        RawHttp.Message seen = b.requests.get(0);
        for (String hop : new String[] {"x-hop-custom", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"}) {
            assertFalse(seen.has(hop), hop + " reached the backend: " + seen.headers());
        }
        assertEquals("kept", seen.header("x-end-to-end"));
    }

    @Test
    void hopByHopResponseHeadersAreNotReturned() throws Exception {
        RawBackend b = h.track(RawBackend.http((req, out) -> RawHttp.write(out, "HTTP/1.1 200 OK\r\n"
                + "Connection: X-Resp-Hop\r\nX-Resp-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\n"
                + "content-length: 2\r\n\r\nok")));
        h.route("resphop.test", "rh", b.url());

        RawHttp.Message r = h.client().send("GET / HTTP/1.1\r\nHost: resphop.test\r\n\r\n").read();

        assertEquals(200, r.status());
        assertFalse(r.has("x-resp-hop"), r.headers().toString());
        assertFalse(r.has("keep-alive"), r.headers().toString());
        assertEquals("yes", r.header("x-kept"));
    }

    @Test
    void forwardedHeadersDescribeTheClientAndTheListener() throws Exception {
        RawBackend b = pathEcho("fwd.test");

        h.client().send("GET / HTTP/1.1\r\nHost: fwd.test\r\nX-Forwarded-For: 203.0.113.7\r\n"
                + "X-Real-IP: 198.51.100.1\r\n\r\n").read();

        RawHttp.Message seen = b.requests.get(0);
        assertEquals("203.0.113.7, 127.0.0.1", seen.header("x-forwarded-for"));
        assertEquals("127.0.0.1", seen.header("x-real-ip"));
        assertEquals("http", seen.header("x-forwarded-proto"));
        assertEquals("http", seen.header("x-forwarded-protocol"));
        assertEquals(String.valueOf(h.port()), seen.header("x-forwarded-port"));
    }

    @Test
    void expectContinueLetsTheClientSendItsBodyAfterThe100() throws Exception {
        RawBackend b = h.track(RawBackend.http((req, out) -> RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: "
                + req.bodyLength() + "\r\n\r\n" + req.bodyText())));
        h.route("expect.test", "e", b.url());
        RawClient client = h.client();

        client.send("POST /e HTTP/1.1\r\nHost: expect.test\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
        RawHttp.Message interim = client.readHead();
        assertEquals(100, interim.status());
        client.send("hello world");
        RawHttp.Message r = client.read();

        assertEquals(200, r.status());
        assertEquals("hello world", r.bodyText());
    }

    @Test
    void headResponsesCarryNoBodyAndKeepTheConnectionUsable() throws Exception {
        RawBackend b = h.track(RawBackend.http((req, out) -> {
            if (req.method().equals("HEAD") && req.uri().equals("/cl")) {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n");
            } else if (req.method().equals("HEAD")) {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
            } else {
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nafter");
            }
        }));
        h.route("head.test", "head", b.url());
        RawClient client = h.client();

        RawHttp.Message withLength = client.send("HEAD /cl HTTP/1.1\r\nHost: head.test\r\n\r\n").read(true);
        RawHttp.Message chunked = client.send("HEAD /chunked HTTP/1.1\r\nHost: head.test\r\n\r\n").read(true);
        RawHttp.Message after = client.send("GET /after HTTP/1.1\r\nHost: head.test\r\n\r\n").read();

        assertEquals(200, withLength.status());
        assertEquals("1234", withLength.header("content-length"));
        assertEquals(200, chunked.status());
        assertEquals("after", after.bodyText());
        assertEquals(1, b.accepted.get());
    }

    @Test
    void noContentAndNotModifiedCarryNoBodyAndKeepTheConnectionUsable() throws Exception {
        RawBackend b = h.track(RawBackend.http((req, out) -> {
            switch (req.uri()) {
                case "/204" -> RawHttp.write(out, "HTTP/1.1 204 No Content\r\n\r\n");
                case "/304" -> RawHttp.write(out, "HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\n\r\n");
                default -> RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nafter");
            }
        }));
        h.route("nobody.test", "nb", b.url());
        RawClient client = h.client();

        RawHttp.Message noContent = client.send("GET /204 HTTP/1.1\r\nHost: nobody.test\r\n\r\n").read();
        RawHttp.Message notModified = client.send("GET /304 HTTP/1.1\r\nHost: nobody.test\r\n"
                + "If-None-Match: \"v1\"\r\n\r\n").read();
        RawHttp.Message after = client.send("GET /after HTTP/1.1\r\nHost: nobody.test\r\n\r\n").read();

        assertEquals(204, noContent.status());
        assertNull(noContent.header("transfer-encoding"));
        assertEquals(304, notModified.status());
        assertEquals("\"v1\"", notModified.header("etag"));
        assertEquals("after", after.bodyText());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        pathEcho("pipeline.test");
        RawClient client = h.client();

        client.send("GET /one HTTP/1.1\r\nHost: pipeline.test\r\n\r\nGET /two HTTP/1.1\r\nHost: pipeline.test\r\n\r\n");

        assertEquals("/one", client.read().bodyText());
        assertEquals("/two", client.read().bodyText());
    }

    @Test
    void http10ClientGetsItsResponseThenTheConnectionCloses() throws Exception {
        RawBackend b = h.track(RawBackend.http((req, out) -> RawHttp.write(out,
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")));
        h.route("ten.test", "ten", b.url());
        RawClient client = h.client();

        RawHttp.Message r = client.send("GET /ten HTTP/1.0\r\nHost: ten.test\r\n\r\n").read();

        assertEquals(200, r.status());
        assertNull(r.header("transfer-encoding"), "HTTP/1.0 has no chunked encoding");
        assertEquals("hello world", r.bodyText());
        assertTrue(client.closedByPeer());
    }

    @Test
    void aStreamedResponseReachesTheClientBeforeTheBackendHasFinished() throws Exception {
        java.util.concurrent.CountDownLatch clientHasFirst = new java.util.concurrent.CountDownLatch(1);
        RawBackend b = h.track(RawBackend.start((socket, in, out, backend) -> {
            RawHttp.readHead(in);
            RawHttp.write(out, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-stream: yes\r\n\r\n5\r\nfirst\r\n");
            try {
                // the rest only once the client has the first part: a proxy holding either back deadlocks here
                if (!clientHasFirst.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            RawHttp.write(out, "4\r\nlast\r\n0\r\n\r\n");
        }));
        h.route("stream.test", "stream", b.url());
        RawClient client = h.client();

        RawHttp.Message head = client.send("GET /s HTTP/1.1\r\nHost: stream.test\r\n\r\n").readHead();
        assertEquals("yes", head.header("x-stream"));
        assertEquals("5\r\nfirst\r\n", new String(client.readBytes(10), java.nio.charset.StandardCharsets.US_ASCII));
        clientHasFirst.countDown();
        assertEquals("4\r\nlast\r\n0\r\n\r\n", new String(client.readBytes(14), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void aClientResettingWhileItsResponseIsAwaitedFreesTheBackendConnectionAtOnce() throws Exception {
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        RawBackend b = h.track(RawBackend.start((socket, in, out, backend) -> {
            RawHttp.readHead(in);
            arrived.countDown();
            // never answers; the proxy must not wait for the backend timeout to give the connection up
            if (in.read() == -1) {
                backend.eofs.incrementAndGet();
            }
        }));
        h.route("leave.test", "leave", b.url());
        RawClient client = h.client();
        client.send("GET /wait HTTP/1.1\r\nHost: leave.test\r\n\r\n");
        assertTrue(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "the request never reached the backend");

        // a reset, not a FIN: a client that half-closes after its request still gets its answer
        client.reset();

        await().atMost(Duration.ofSeconds(5)).until(() -> b.eofs.get() == 1);
    }

    @Test
    void closeDelimitedBackendResponseIsRechunkedAndTheClientConnectionKept() throws Exception {
        RawBackend b = h.track(RawBackend.start((socket, in, out, backend) -> {
            while (true) {
                RawHttp.Message req = RawHttp.readHead(in);
                if (req == null) {
                    return;
                }
                if (req.uri().equals("/eof")) {
                    RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nclose-delimited");
                    return; // closing ends the body
                }
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext");
            }
        }));
        h.route("eof.test", "eof", b.url());
        RawClient client = h.client();

        RawHttp.Message first = client.send("GET /eof HTTP/1.1\r\nHost: eof.test\r\n\r\n").read();
        RawHttp.Message second = client.send("GET /next HTTP/1.1\r\nHost: eof.test\r\n\r\n").read();

        assertEquals("chunked", first.header("transfer-encoding"));
        assertEquals("close-delimited", first.bodyText());
        assertEquals("next", second.bodyText());
    }

    @Test
    void xDebugRequestGetsHipachesDebugHeaders() throws Exception {
        RawBackend b = pathEcho("debug.test");

        HttpResponse<String> r = h.send(h.request("debug.test", "/").header("X-Debug", "1").build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertEquals(b.url(), r.headers().firstValue("x-debug-backend-url").orElse(null));
        assertEquals("0", r.headers().firstValue("x-debug-backend-id").orElse(null));
        assertEquals("id-debug.test", r.headers().firstValue("x-debug-vhost").orElse(null));
        assertEquals("debug.test", r.headers().firstValue("x-debug-frontend-key").orElse(null));
        assertNotNull(r.headers().firstValue("x-debug-version-hipache").orElse(null));
        Long.parseLong(r.headers().firstValue("x-debug-time-total").orElseThrow());
        Long.parseLong(r.headers().firstValue("x-debug-time-backend").orElseThrow());
    }

    @Test
    void requestWithoutXDebugGetsNoDebugHeaders() throws Exception {
        pathEcho("nodebug.test");

        HttpResponse<String> r = h.get("nodebug.test", "/");

        assertTrue(r.headers().map().keySet().stream().noneMatch(k -> k.startsWith("x-debug")), r.headers().toString());
    }

    @Test
    void clientHalfClosingAfterItsRequestStillGetsTheResponse() throws Exception {
        pathEcho("halfclose.test");
        RawClient client = h.client();

        client.send("GET /half HTTP/1.1\r\nHost: halfclose.test\r\n\r\n").shutdownOutput();

        assertEquals("/half", client.read().bodyText());
    }
}
