package dev.portier.proxy.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code maintenance:<host>} and {@code pause:<host>}, followed from Redis while requests keep coming. */
class MaintenanceAndPauseEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private static final String HOST = "app.test";
    private final HttpClient admin = HttpClient.newHttpClient();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private ProxyHarness h;
    private WireMockServer backend;

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        if (h != null) {
            h.close();
        }
    }

    private void start(java.util.function.UnaryOperator<dev.portier.proxy.config.ProxySettings> more) {
        // a refresh too slow to explain what the tests see: keyspace events must
        h = ProxyHarness.start(redis, s -> more.apply(s.with("admin.port", 0)
                .with("redis.refreshInterval", Duration.ofSeconds(120))));
        backend = h.wiremock();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("app")));
        h.route(HOST, "app", ProxyHarness.url(backend));
    }

    private String adminGet(String path) throws Exception {
        return admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private int adminStatus(String path) throws Exception {
        return admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void maintenanceOnAndOffUnderLoadAnswers503WithRetryAfterThen200AndNeverAConnectionError() throws Exception {
        start(s -> s);
        List<String> listBefore = redis.sync().lrange("frontend:" + HOST, 0, -1);
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Set<String> retryAfters = ConcurrentHashMap.newKeySet();
        AtomicInteger failures = new AtomicInteger();
        List<Throwable> errors = new ArrayList<>();
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            clients.add(pool.submit(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = h.get(HOST, "/load");
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 503) {
                            retryAfters.add(r.headers().firstValue("retry-after").orElse("none"));
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.containsKey(200));

        redis.sync().hset("maintenance:" + HOST, Map.of("message", "<b>Upgrade</b> & back at 5", "retryAfter", "120"));
        await().atMost(Duration.ofSeconds(5)).until(() -> h.get(HOST, "/").statusCode() == 503);
        HttpResponse<String> page = h.get(HOST, "/page");
        assertEquals(503, page.statusCode());
        assertEquals("120", page.headers().firstValue("retry-after").orElse(""));
        assertTrue(page.body().contains("&lt;b&gt;Upgrade&lt;/b&gt; &amp; back at 5"), "message HTML-escaped: " + page.body());
        assertEquals(200, h.get("__ping__", "/").statusCode(), "the load balancer's check keeps answering");
        assertEquals(200, adminStatus("/healthz"));
        assertTrue(adminGet("/routes").contains("\"maintenance\" : {\n    \"" + HOST + "\""), adminGet("/routes"));
        int seen503 = statuses.getOrDefault(503, new AtomicInteger()).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.get(503).get() > seen503 + 20);

        redis.sync().del("maintenance:" + HOST);
        await().atMost(Duration.ofSeconds(5)).until(() -> h.get(HOST, "/").statusCode() == 200);
        int seen200 = statuses.get(200).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.get(200).get() > seen200 + 20);
        running.set(false);
        for (Future<?> c : clients) {
            c.get(30, TimeUnit.SECONDS);
        }

        assertEquals(0, failures.get(), "connection errors: " + errors);
        assertEquals(Set.of(200, 503), statuses.keySet(), "only answers from the backend or the maintenance page");
        assertEquals(Set.of("120"), retryAfters);
        assertEquals(listBefore, redis.sync().lrange("frontend:" + HOST, 0, -1), "the Hipache list is left alone");
    }

    @Test
    void theStaticDirectoryMaintenancePageIsUsed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("maintenance.html"), "<p>ours: {{message}}</p>");
        start(s -> s.with("listeners.staticDir", dir));
        redis.sync().hset("maintenance:" + HOST, "message", "db \"migration\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> h.get(HOST, "/").statusCode() == 503);
        HttpResponse<String> r = h.get(HOST, "/");
        assertEquals("<p>ours: db &quot;migration&quot;</p>", r.body());
        assertEquals("60", r.headers().firstValue("retry-after").orElse(""), "the default Retry-After");
    }

    @Test
    void aPauseHoldsNewRequestsAndReleasesThemAllWhenLifted() throws Exception {
        start(s -> s);
        assertEquals(200, h.get(HOST, "/before").statusCode());
        redis.sync().hset("pause:" + HOST, "maxHold", "60");
        await().atMost(Duration.ofSeconds(5)).until(() -> adminGet("/routes").contains("\"paused\" : {\n    \"" + HOST));

        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 20; i++) {
            held.add(client.sendAsync(h.request(HOST, "/held-" + i).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> adminGet("/metrics").contains("portier_requests_held{listener=\"http\"} 20.0"));
        assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "held, not answered");
        assertEquals(0, backend.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/held-.*"))).size(), "nothing reached the backend");

        long lifted = System.currentTimeMillis();
        redis.sync().del("pause:" + HOST);
        for (CompletableFuture<HttpResponse<String>> f : held) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("app", r.body());
        }
        List<LoggedRequest> got = backend.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/held-.*")));
        assertEquals(20, got.size());
        assertTrue(got.stream().allMatch(r -> r.getLoggedDate().getTime() >= lifted - 5), "each reached the backend after the pause");
        assertTrue(adminGet("/metrics").contains("portier_requests_held{listener=\"http\"} 0.0"));
    }

    @Test
    void aRequestHeldPastMaxHoldGets503AndPastTheBoundAtOnce() throws Exception {
        start(s -> s.with("pausing.maxRequests", 2));
        redis.sync().hset("pause:" + HOST, "maxHold", "2");
        await().atMost(Duration.ofSeconds(5)).until(() -> adminGet("/routes").contains("\"paused\" : {\n    \"" + HOST));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> a = client.sendAsync(h.request(HOST, "/a").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = client.sendAsync(h.request(HOST, "/b").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> adminGet("/metrics").contains("portier_requests_held{listener=\"http\"} 2.0"));
        HttpResponse<String> third = h.send(h.request(HOST, "/c").header("X-Debug", "1").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, third.statusCode(), "past the bound: refused at once");
        assertEquals("5", third.headers().firstValue("retry-after").orElse(""));
        assertTrue(third.headers().firstValue("x-debug-error").orElse("").contains("too many"), third.headers().map().toString());

        assertEquals(503, a.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(503, b.get(20, TimeUnit.SECONDS).statusCode());
        assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(2), "held for maxHold first");
        assertEquals("5", a.get().headers().firstValue("retry-after").orElse(""));
        assertEquals(0, backend.getAllServeEvents().size(), "no held request reached the backend");
    }
}
