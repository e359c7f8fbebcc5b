package dev.portier.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import dev.portier.proxy.transport.Transport;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy on each socket transport it offers: new connections, kept-alive ones, a large upload, deferred accept. */
class TransportsEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void proxiesOn(String transport) throws Exception {
        try (ProxyHarness h = ProxyHarness.start(redis, s -> s.with("listeners.transport", transport))) {
            RawBackend b = h.track(RawBackend.http((req, out) -> {
                String s = req.uri() + " " + req.sha256() + " " + req.bodyLength();
                RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + s.length() + "\r\n\r\n" + s);
            }));
            h.route("t.test", "t", b.url());
            for (int i = 0; i < 40; i++) {
                try (RawClient c = new RawClient(h.port())) {
                    RawHttp.Message m = c.send("GET /new" + i + " HTTP/1.1\r\nHost: t.test\r\nConnection: close\r\n\r\n").read();
                    assertEquals(200, m.status());
                    assertTrue(new String(m.body(), StandardCharsets.US_ASCII).startsWith("/new" + i + " "));
                    assertTrue(c.closedByPeer(), "closed after the answer, as asked");
                }
            }
            try (RawClient c = new RawClient(h.port())) {
                for (int i = 0; i < 40; i++) {
                    RawHttp.Message m = c.send("GET /kept" + i + " HTTP/1.1\r\nHost: t.test\r\n\r\n").read();
                    assertTrue(new String(m.body(), StandardCharsets.US_ASCII).startsWith("/kept" + i + " "));
                }
                byte[] upload = new byte[8 << 20];
                new Random(7).nextBytes(upload);
                c.send("POST /up HTTP/1.1\r\nHost: t.test\r\ncontent-length: " + upload.length + "\r\n\r\n").send(upload);
                String answer = new String(c.read().body(), StandardCharsets.US_ASCII);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
                assertEquals("/up " + sha + " " + upload.length, answer);
            }
        }
    }

    @Test
    void autoPrefersIoUringThenEpoll() {
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, Transport.named("auto").name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void aNewConnectionIsAcceptedWhenItsRequestArrives(String transport) throws Exception {
        try (ProxyHarness h = ProxyHarness.start(redis, s -> s.with("listeners.transport", transport))) {
            RawBackend b = h.track(RawBackend.http((req, out) -> RawHttp.write(out,
                    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")));
            h.route("d.test", "d", b.url());
            try (RawClient c = new RawClient(h.port())) {
                // connected, but silent: the kernel holds it back, the proxy has nothing to do yet
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                        .until(() -> h.proxy().openConnections() == 0);
                RawHttp.Message m = c.send("GET / HTTP/1.1\r\nHost: d.test\r\n\r\n").read();
                assertEquals(200, m.status());
                assertEquals(1, h.proxy().openConnections());
            }
        }
    }
}
