package dev.portier.proxy.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.routing.CanarySplit;
import dev.portier.proxy.routing.ClientKey;
import dev.portier.proxy.testing.ProxyHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The canary share from {@code canary:<host>}: sticky per client, following Redis, falling back when the canary fails. */
class CanaryEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private static final String HOST = "shop.test";
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private ProxyHarness h;
    private String live;
    private String canary;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** A proxy whose refresh is too slow to explain any change seen within the test: only keyspace events can. */
    private void start() {
        start(null);
    }

    private void start(Path logs) {
        h = ProxyHarness.start(redis, s -> {
            s = s.with("admin.port", 0).with("redis.refreshInterval", Duration.ofSeconds(120));
            return logs == null ? s : s.with("logs.dir", logs);
        });
        live = ProxyHarness.url(saying("live"));
        canary = ProxyHarness.url(saying("canary"));
        h.route(HOST, "shop", live);
    }

    private WireMockServer saying(String body) {
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(body)));
        wm.stubFor(any(urlEqualTo("/broken")).willReturn(aResponse().withStatus(500).withBody(body + " broken")));
        return wm;
    }

    private void canaryAt(String backend, int percent) {
        redis.sync().hset("canary:" + HOST, Map.of("backend", backend, "percent", String.valueOf(percent)));
    }

    private HttpResponse<String> get(String cookieId, String path) throws Exception {
        HttpRequest.Builder b = h.request(HOST, path).header("X-Debug", "1");
        if (cookieId != null) {
            b.header("Cookie", "theme=dark; " + ClientKey.COOKIE + "=" + cookieId);
        }
        return h.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> cookieIds(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id;
            do {
                id = r.nextLong();
            } while (id == 0);
            out.add(ClientKey.format(id));
        }
        return out;
    }

    private int bucket(String cookieId) {
        return CanarySplit.bucket(Long.parseUnsignedLong(cookieId, 16), CanarySplit.frontendHash(HOST));
    }

    private JsonNode admin(String path) throws Exception {
        return json.readTree(adminText(path));
    }

    private String adminText(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aTwentyPercentCanaryGetsItsShareOfDistinctClientsAndEachClientKeepsItsVersion() throws Exception {
        start();
        canaryAt(canary, 20);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/routes").path("canaries").has(HOST));

        List<String> clients = cookieIds(2000, 13);
        Map<String, String> seen = new HashMap<>();
        int toCanary = 0;
        for (String id : clients) {
            HttpResponse<String> r = get(id, "/");
            assertEquals(200, r.statusCode());
            seen.put(id, r.body());
            if (r.body().equals("canary")) {
                toCanary++;
            }
            assertTrue(r.headers().firstValue("x-debug-canary").orElse("").startsWith(r.body() + "; bucket="),
                    r.headers().map().toString());
            assertTrue(r.headers().firstValue("set-cookie").isEmpty(), "a client with an id gets no new one");
        }
        assertTrue(toCanary >= 300 && toCanary <= 500, "20 % of 2000 clients, got " + toCanary);

        // every client again, twice: the same version each time
        for (int round = 0; round < 2; round++) {
            for (String id : clients.subList(0, 500)) {
                assertEquals(seen.get(id), get(id, "/").body(), "client " + id + " switched versions");
            }
        }
    }

    @Test
    void aClientWithoutACookieGetsOneAndKeepsTheVersionItsAddressGave() throws Exception {
        start();
        canaryAt(canary, 50);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/routes").path("canaries").has(HOST));

        int toCanary = 0;
        for (int i = 0; i < 200; i++) {
            String address = "10.1." + (i / 250) + "." + (i % 250);
            HttpResponse<String> first = h.send(h.request(HOST, "/").header("X-Forwarded-For", address).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
            assertTrue(setCookie.matches(ClientKey.COOKIE + "=[0-9a-f]{16}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax"),
                    setCookie);
            String id = setCookie.substring(ClientKey.COOKIE.length() + 1, ClientKey.COOKIE.length() + 17);
            // the same address without a cookie, and then with the cookie it was given: the same version
            assertEquals(first.body(), h.send(h.request(HOST, "/").header("X-Forwarded-For", address).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(first.body(), get(id, "/").body());
            if (first.body().equals("canary")) {
                toCanary++;
            }
        }
        assertTrue(toCanary > 60 && toCanary < 140, "about half of 200 addresses, got " + toCanary);
    }

    @Test
    void theShareFollowsRedisAndRaisingItKeepsCanaryClientsOnTheCanary() throws Exception {
        start();
        List<String> clients = cookieIds(300, 7);
        for (String id : clients.subList(0, 20)) {
            assertEquals("live", get(id, "/").body(), "no canary yet");
        }

        canaryAt(canary, 20);
        await().atMost(Duration.ofSeconds(5)).until(() -> get(lowest(clients), "/").body().equals("canary"));
        Map<String, String> at20 = new HashMap<>();
        for (String id : clients) {
            at20.put(id, get(id, "/").body());
            assertEquals(bucket(id) < 20 ? "canary" : "live", at20.get(id), "bucket " + bucket(id));
        }

        redis.sync().hset("canary:" + HOST, "percent", "60");
        String movesAt60 = clients.stream().filter(id -> bucket(id) >= 20 && bucket(id) < 60).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> get(movesAt60, "/").body().equals("canary"));
        for (String id : clients) {
            String now = get(id, "/").body();
            if (at20.get(id).equals("canary")) {
                assertEquals("canary", now, "a canary client stays on the canary when the share grows");
            }
            assertEquals(bucket(id) < 60 ? "canary" : "live", now);
        }

        redis.sync().del("canary:" + HOST);
        await().atMost(Duration.ofSeconds(5)).until(() -> get(lowest(clients), "/").body().equals("live"));
        for (String id : clients.subList(0, 50)) {
            HttpResponse<String> r = get(id, "/");
            assertEquals("live", r.body());
            assertTrue(r.headers().firstValue("x-debug-canary").isEmpty());
        }
    }

    private String lowest(List<String> clients) {
        return clients.stream().min((a, b) -> Integer.compare(bucket(a), bucket(b))).orElseThrow();
    }

    @Test
    void aCanaryThatCannotBeReachedFallsBackToTheList(@TempDir Path logs) throws Exception {
        start(logs);
        String down = "http://127.0.0.1:" + FreePort.find();
        canaryAt(down, 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/routes").path("canaries").has(HOST));

        for (String id : cookieIds(30, 3)) {
            HttpResponse<String> r = get(id, "/x-" + id);
            assertEquals(200, r.statusCode(), "retried on the list");
            assertEquals("live", r.body());
            assertTrue(r.headers().firstValue("x-debug-canary").orElse("").startsWith("live; "), r.headers().map().toString());
        }
        JsonNode c = admin("/routes").path("canaries").path(HOST);
        assertEquals(down, c.path("backend").asText());
        assertTrue(c.path("dead").asBoolean(), c.toString());
        JsonNode figures = admin("/backends").path("frontends").path(HOST).path("backends").path(down);
        assertTrue(figures.path("canary").asBoolean(), figures.toString());
        assertEquals(figures.path("requests").asLong(), figures.path("errors5xx").asLong(), "each attempt failed");
        assertTrue(figures.path("requests").asLong() >= 1, figures.toString());

        // the access log says which side served: the line of a request that fell back says live
        Path file = logs.resolve(LocalDate.now(ZoneOffset.UTC) + ".access.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                && Files.readAllLines(file).stream().filter(l -> l.contains("/x-")).count() == 30);
        for (String line : Files.readAllLines(file)) {
            if (line.contains("/x-")) {
                assertTrue(line.endsWith(" live"), line);
            }
        }
    }

    @Test
    void backendFiguresCountWhatEachBackendWasSent() throws Exception {
        start();
        canaryAt(canary, 30);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/routes").path("canaries").has(HOST));
        List<String> clients = cookieIds(400, 11);
        String onCanary = clients.stream().filter(id -> bucket(id) < 30).findFirst().orElseThrow();
        String onLive = clients.stream().filter(id -> bucket(id) >= 30).findFirst().orElseThrow();

        for (int i = 0; i < 17; i++) {
            assertEquals("canary", get(onCanary, "/").body());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(500, get(onCanary, "/broken").statusCode());
        }
        for (int i = 0; i < 31; i++) {
            assertEquals("live", get(onLive, "/").body());
        }
        assertEquals(500, get(onLive, "/broken").statusCode());

        JsonNode all = admin("/backends?window=30");
        assertEquals(30, all.path("windowSeconds").asInt());
        JsonNode b = all.path("frontends").path(HOST).path("backends");
        JsonNode c = b.path(canary);
        JsonNode l = b.path(live);
        assertEquals(22, c.path("requests").asLong(), b.toString());
        assertEquals(5, c.path("errors5xx").asLong(), b.toString());
        assertTrue(c.path("canary").asBoolean());
        assertTrue(c.path("p99Ms").asDouble() >= c.path("p50Ms").asDouble() && c.path("p50Ms").asDouble() > 0, c.toString());
        assertEquals(32, l.path("requests").asLong(), b.toString());
        assertEquals(1, l.path("errors5xx").asLong(), b.toString());
        assertFalse(l.path("canary").asBoolean());

        String metrics = adminText("/metrics");
        String tags = "backend=\"" + canary + "\",frontend=\"" + HOST + "\"";
        assertTrue(metrics.contains("portier_backend_requests_total{" + tags + "} 22.0"), metrics);
        assertTrue(metrics.contains("portier_backend_errors_total{" + tags + "} 5.0"), metrics);
        assertTrue(metrics.contains("portier_backend_request_duration_seconds_count{" + tags + "} 22"), metrics);

        assertEquals(400, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort()
                + "/backends?window=601")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertNotNull(admin("/backends").path("windowSeconds"));
        assertEquals(60, admin("/backends").path("windowSeconds").asInt());
    }
}
