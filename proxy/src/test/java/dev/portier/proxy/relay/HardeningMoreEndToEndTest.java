package dev.portier.proxy.relay;

import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** More of the hardening issue's cases: broken chunked framing on either side, pipelined bodies. */
class HardeningMoreEndToEndTest {

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
