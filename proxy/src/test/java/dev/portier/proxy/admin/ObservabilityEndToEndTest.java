package dev.portier.proxy.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ObservabilityEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    /** Hipache's fields in Hipache's order, then ours. */
    private static final Pattern LINE = Pattern.compile("^(\\S+) - - \\[(\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000)\\] "
            + "\"(\\S+) (\\S+) (HTTP/1\\.[01])\" (\\d{3}) (\\d+) \"([^\"]*)\" \"((?:[^\"\\\\]|\\\\.)*)\" \"([^\"]*)\" "
            + "(\\d+\\.\\d{3}) (\\S+) (\\S+) (\\S+) (\\S+) (\\d+) (\\S+) (\\d+) (\\S+)$");

    private final HttpClient http = HttpClient.newHttpClient();
    private ProxyHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
        if (!redis.server().isRunning()) {
            redis.server().start();
        }
    }

    private WireMockServer okBackend() {
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("hello")));
        return wm;
    }

    private String admin(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void accessLogLinesLandInTodaysFileWithHipachesFieldsThenOurs(@TempDir Path logs) throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("logs.dir", logs));
        WireMockServer wm = okBackend();
        h.route("log.test", "app", ProxyHarness.url(wm));

        h.send(h.request("log.test", "/page?q=1").header("User-Agent", "agent \"quoted\"")
                .header("Referer", "http://ref.example/").GET().build(), HttpResponse.BodyHandlers.ofString());
        h.get("unknown.test", "/");

        Path file = logs.resolve(LocalDate.now(ZoneOffset.UTC) + ".access.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                && Files.readAllLines(file).stream().anyMatch(l -> l.contains("unknown.test")));
        List<String> lines = Files.readAllLines(file);
        Matcher m = lines.stream().filter(l -> l.contains("/page?q=1")).map(LINE::matcher).filter(Matcher::matches)
                .findFirst().orElseThrow(() -> new AssertionError("no well-formed line for /page in " + lines));
        assertEquals("127.0.0.1", m.group(1));
        assertEquals("GET", m.group(3));
        assertEquals("200", m.group(6));
        assertEquals("5", m.group(7), "bytes of the response body");
        assertEquals("http://ref.example/", m.group(8));
        assertEquals("agent \\\"quoted\\\"", m.group(9), "quotes are escaped so the line stays parseable");
        assertEquals("log.test", m.group(10));
        assertEquals("log.test", m.group(13), "frontend key");
        assertEquals(ProxyHarness.url(wm), m.group(14), "backend");
        assertEquals("200", m.group(15), "backend status");

        Matcher local = lines.stream().filter(l -> l.contains("unknown.test")).map(LINE::matcher)
                .filter(Matcher::matches).findFirst().orElseThrow();
        assertEquals("400", local.group(6));
        assertEquals("-", local.group(14), "the proxy answered itself: no backend");

        Path proxyLog = logs.resolve(LocalDate.now(ZoneOffset.UTC) + ".proxy.log");
        assertTrue(Files.exists(proxyLog), "the proxy's own log has its own file");
    }

    @Test
    void aLogDirectoryThatCannotBeWrittenDoesNotStopProxying(@TempDir Path tmp) throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        h = ProxyHarness.start(redis, s -> s.with("logs.dir", notADirectory.resolve("logs")));
        WireMockServer wm = okBackend();
        h.route("nolog.test", "app", ProxyHarness.url(wm));
        assertEquals(200, h.get("nolog.test", "/").statusCode());
    }

    @Test
    void metricsCountRequestsByFrontendAndStatusClass() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        WireMockServer wm = okBackend();
        h.route("m.test", "app", ProxyHarness.url(wm));
        h.get("m.test", "/");
        h.get("m.test", "/");
        h.get("unknown-m.test", "/");

        String metrics = admin("/metrics");
        assertTrue(metrics.contains("portier_requests_total{frontend=\"m.test\",status=\"2xx\"} 2.0"), metrics);
        assertTrue(metrics.contains("portier_requests_total{frontend=\"none\",status=\"4xx\"} 1.0"), metrics);
        assertTrue(metrics.contains("portier_request_duration_seconds_count 3"), metrics);
        assertTrue(metrics.contains("portier_backend_duration_seconds_bucket"), "percentile histogram for Prometheus");
        assertTrue(metrics.contains("portier_redis_up 1.0"), metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics are bound");
    }

    @Test
    void statsdAgentReceivesTheCountersInDatadogFlavour() throws Exception {
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            agent.setSoTimeout(500);
            h = ProxyHarness.start(redis, s -> s.with("statsd.host", "127.0.0.1").with("statsd.port", agent.getLocalPort()));
            WireMockServer wm = okBackend();
            h.route("s.test", "app", ProxyHarness.url(wm));
            List<String> received = new CopyOnWriteArrayList<>();
            byte[] buf = new byte[65_536];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                h.get("s.test", "/");
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    agent.receive(p);
                    received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                } catch (java.net.SocketTimeoutException ignored) {
                    // nothing this round
                }
                return received.stream().anyMatch(l -> l.contains("portier.requests:")
                        && l.contains("frontend:s.test") && l.contains("status:2xx"));
            });
        }
    }

    @Test
    void healthzSaysWhetherRedisIsReachable() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        ObjectMapper json = new ObjectMapper();
        JsonNode up = json.readTree(admin("/healthz"));
        assertEquals("ok", up.get("status").asText());
        assertEquals("up", up.get("redis").asText());

        redis.server().stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> "down".equals(json.readTree(admin("/healthz")).get("redis").asText()));
    }

    @Test
    void routesShowTheTableWithDeadMarks() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        WireMockServer wm = okBackend();
        int refused = FreePort.find();
        h.route("r.test", "app", "http://127.0.0.1:" + refused, ProxyHarness.url(wm));
        assertEquals(200, h.get("r.test", "/").statusCode());

        JsonNode routes = new ObjectMapper().readTree(admin("/routes"));
        JsonNode front = routes.get("frontends").get("r.test");
        assertEquals("app", front.get("identifier").asText());
        assertEquals(2, front.get("backends").size());
        assertEquals(0, routes.get("dead").get("r.test").get("positions").get(0).asInt());
    }
}
