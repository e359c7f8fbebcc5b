package dev.portier.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Access lines for answers the proxy gives itself and for upgrades; /healthz without a table; upgrades of the proxy. */
class ObservabilityEdgesEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private ProxyHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private HttpResponse<String> admin(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The line whose request line contains {@code needle}, once the async writer has written it. */
    private static String[] line(Path logs, String needle) throws IOException {
        Path file = logs.resolve(LocalDate.now(ZoneOffset.UTC) + ".access.log");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(find(file, needle).isPresent(),
                Files.exists(file) ? Files.readString(file) : "no " + file));
        String l = find(file, needle).orElseThrow();
        // the quoted fields hold no spaces in these tests, so a split by space lines the fields up
        return l.replaceAll("\\[[^\\]]*\\]", "[time]").split(" ");
    }

    private static Optional<String> find(Path file, String needle) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.contains(needle)).findFirst()
                : Optional.empty();
    }

    @Test
    void pingAndALocal502AreLoggedWithoutABackendStatus(@TempDir Path logs) throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("logs.dir", logs));
        h.route("down.test", "app", "http://127.0.0.1:" + FreePort.find());

        assertEquals(200, h.get("__ping__", "/ping-check").statusCode());
        assertEquals(502, h.get("down.test", "/refused").statusCode());

        // addr - - [time] "GET /x HTTP/1.1" STATUS BYTES "REF" "UA" "VHOST" TOTAL_S BACKEND_S KEY BACKEND BSTATUS TOTAL_MS BACKEND_MS IN
        String[] ping = line(logs, "/ping-check");
        assertEquals("200", ping[7]);
        assertEquals("2", ping[8], "body \"ok\"");
        assertEquals("\"__ping__\"", ping[11]);
        assertEquals(List.of("-", "-", "-", "-"), List.of(ping[13], ping[14], ping[15], ping[16]),
                "no backend time, frontend, backend or backend status");

        String[] refused = line(logs, "/refused");
        assertEquals("502", refused[7]);
        assertEquals("\"down.test\"", refused[11]);
        assertEquals("down.test", refused[14], "the frontend that matched");
        assertEquals("-", refused[16], "no backend answered");
    }

    @Test
    void anUpgradeIsLoggedAndCountedWhenItSwitches(@TempDir Path logs) throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("logs.dir", logs).with("admin.port", 0));
        RawBackend ws = h.track(RawBackend.start((socket, in, out, backend) -> {
            RawHttp.readHead(in);
            // with Sec-WebSocket-Accept: Netty reads a websocket 101 without it as Hixie-76, which has a body
            RawHttp.write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
            in.read();
        }));
        h.route("ws.test", "ws", ws.url());
        RawClient client = h.client();
        RawHttp.Message switched = client.send("GET /socket HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\n\r\n").readHead();
        assertEquals(101, switched.status());

        String[] l = line(logs, "/socket");
        assertEquals("101", l[7]);
        assertEquals(ws.url(), l[15]);
        assertEquals("101", l[16], "the backend's status");
        assertTrue(admin(h.proxy().adminPort(), "/metrics").body()
                .contains("portier_requests_total{frontend=\"ws.test\",status=\"1xx\"} 1.0"));
    }

    @Test
    void healthzIs503WhileRedisWasNeverReachedBecauseThereIsNoTable() throws Exception {
        h = ProxyHarness.start(redis, s -> s.withRedis(RedisDriverUrl.parse("redis://127.0.0.1:" + FreePort.find()))
                .with("admin.port", 0));
        HttpResponse<String> r = admin(h.proxy().adminPort(), "/healthz");
        JsonNode body = json.readTree(r.body());
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("no routing table", body.get("status").asText());
        assertEquals("down", body.get("redis").asText());
    }

    @Test
    void healthzIs503OnceTheListenersAreClosedForADrain() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        ProxyServer proxy = h.proxy();
        assertEquals(200, admin(proxy.adminPort(), "/healthz").statusCode());
        RawClient busy = h.client();
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        RawBackend slow = h.track(RawBackend.start((socket, in, out, backend) -> {
            RawHttp.readHead(in);
            arrived.countDown();
            in.read();
        }));
        h.route("slow.test", "slow", slow.url());
        busy.send("GET / HTTP/1.1\r\nHost: slow.test\r\n\r\n");
        // the exchange must be in flight before the drain starts, or the drain has nothing to wait for
        assertTrue(arrived.await(5, java.util.concurrent.TimeUnit.SECONDS), "the request never reached the backend");
        int adminPort = proxy.adminPort();
        Thread drain = new Thread(() -> proxy.shutdownGracefully(Duration.ofSeconds(5)));
        drain.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> admin(adminPort, "/healthz").statusCode() == 503);
            assertEquals("not listening", json.readTree(admin(adminPort, "/healthz").body()).get("status").asText());
        } finally {
            slow.close();
            drain.join(10_000);
        }
    }

    @Test
    void aSecondProxyCanBindTheSameAdminPortDuringAnUpgrade() throws Exception {
        assertTrue(Epoll.isAvailable(), "SO_REUSEPORT needs the epoll transport, shipped for linux-x86_64");
        int adminPort = FreePort.find();
        h = ProxyHarness.start(redis, s -> s.with("admin.port", adminPort));
        try (ProxyHarness second = ProxyHarness.start(redis, s -> s.with("admin.port", adminPort))) {
            assertEquals(adminPort, second.proxy().adminPort());
            assertEquals(200, admin(adminPort, "/healthz").statusCode());
        }
    }
}
