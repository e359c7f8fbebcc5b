package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** At the connection limit every refused client reads the promised 503, never a reset. */
class ConnectionLimiterEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private final List<RawClient> held = new ArrayList<>();
    private ProxyHarness h;
    private ExecutorService clients;

    @AfterEach
    void stop() throws Exception {
        if (clients != null) {
            clients.shutdownNow();
            clients.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (h != null) {
            h.close();
        }
    }

    @Test
    void everyRefusedClientThatAlreadySentItsRequestReadsAWhole503() throws Exception {
        startAtTheLimit();
        Map<String, Integer> seen = refuseAtOnce(50, 0);
        assertEquals(Map.of("503 too many connections", 50), seen);
        assertEquals("ok", held.get(0).send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().bodyText(),
                "a held connection was disturbed");
        // the loop balance counts the served connections only: a refused one counted there and never
        // uncounted would make its loop look busier for ever
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(2,
                IntStream.of(h.proxy().openConnectionsPerLoop()).sum(),
                "connections counted on the loops: " + Arrays.toString(h.proxy().openConnectionsPerLoop())));
    }

    @Test
    void aRefusedClientStillSendingItsBodyReadsThe503InsteadOfAReset() throws Exception {
        startAtTheLimit();
        // more than the socket buffers on the way take while the proxy reads nothing: the client is
        // still writing when the proxy is done with the connection
        Map<String, Integer> seen = refuseAtOnce(10, 8 << 20);
        assertEquals(Map.of("503 too many connections", 10), seen);
    }

    private void startAtTheLimit() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("listeners.maxConnections", 2));
        RawBackend backend = h.track(RawBackend.http(RawBackend.text("ok")));
        h.route("h", "h", backend.url());
        for (int i = 0; i < 2; i++) {
            RawClient c = h.client();
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().bodyText());
            held.add(c);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> h.proxy().openConnections() == 2);
    }

    /** {@code count} clients connect at once, each sends a request with a body of {@code bodySize} and reads; what each saw. */
    private Map<String, Integer> refuseAtOnce(int count, int bodySize) throws Exception {
        clients = Executors.newFixedThreadPool(count);
        CountDownLatch go = new CountDownLatch(1);
        byte[] piece = new byte[65536];
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            outcomes.add(clients.submit(() -> {
                go.await();
                // connect and send at once, as a browser or a load tester does: the request is
                // usually with the proxy before it turns the connection away
                try (RawClient c = new RawClient(h.port())) {
                    String method = bodySize > 0 ? "POST" : "GET";
                    c.send(method + " / HTTP/1.1\r\nHost: h\r\nX-Pad: " + "p".repeat(500)
                            + (bodySize > 0 ? "\r\nContent-Length: " + bodySize : "") + "\r\n\r\n");
                    for (int sent = 0; sent < bodySize; sent += piece.length) {
                        c.send(piece);
                    }
                    RawHttp.Message r = c.read();
                    return r.status() + " " + r.bodyText();
                } catch (Exception e) {
                    return e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            }));
        }
        go.countDown();
        Map<String, Integer> seen = new TreeMap<>();
        for (Future<String> f : outcomes) {
            seen.merge(f.get(60, TimeUnit.SECONDS), 1, Integer::sum);
        }
        return seen;
    }
}
