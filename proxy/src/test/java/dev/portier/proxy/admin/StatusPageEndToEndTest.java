package dev.portier.proxy.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener's status page, loaded by a real headless Chromium against a running proxy. */
class StatusPageEndToEndTest {

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

    private HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode adminJson(String path) throws IOException, InterruptedException {
        return json.readTree(admin(path).body());
    }

    @Test
    void thePageShowsFrontendsBackendsAndDeadMarksAfterRoutesChangeInRedis(@TempDir Path tmp) throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("hello")));
        String live = ProxyHarness.url(wm);
        h.route("page.test", "page-app", live);
        assertEquals(200, h.get("page.test", "/").statusCode());

        h.route("<b>bold</b>.test", "<i>x</i>", live);
        await().atMost(Duration.ofSeconds(10)).until(() -> adminJson("/routes").path("frontends").has("<b>bold</b>.test"));

        String first = dumpDom(tmp.resolve("one"));
        assertTrue(first.contains("<td>&lt;b&gt;bold&lt;/b&gt;.test</td><td>&lt;i&gt;x&lt;/i&gt;</td>"),
                "names from Redis shown as text, not markup: " + first);
        assertTrue(first.contains("data-frontend=\"page.test\""), first);
        assertTrue(first.contains("page-app"), first);
        assertTrue(first.contains(live), first);
        assertFalse(first.contains("s left"), "no dead backend yet: " + first);
        assertTrue(first.contains("<b id=\"redis\" class=\"up\">up</b>"), first);

        // a new release with a second backend, which a Hipache peer then marks dead as it would in Redis
        String other = "http://127.0.0.1:" + FreePort.find();
        h.route("page.test", "page-app-v2", live, other);
        h.route("other.test", "other-app", live);
        redis.sync().sadd("dead:page.test", "1");
        redis.sync().expire("dead:page.test", 30);
        String canary = "http://127.0.0.1:" + FreePort.find();
        redis.sync().hset("canary:other.test", java.util.Map.of("backend", canary, "percent", "20"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                adminJson("/routes").path("dead").path("page.test").path("positions").toString().equals("[1]")
                        && adminJson("/routes").path("frontends").has("other.test")
                        && adminJson("/routes").path("canaries").has("other.test"));

        String second = dumpDom(tmp.resolve("two"));
        assertTrue(second.contains("page-app-v2"), second);
        assertTrue(second.contains("data-frontend=\"other.test\""), second);
        assertTrue(second.contains("<li class=\"backend dead\">" + other + "<span class=\"dead\"> dead, "), second);
        assertTrue(second.matches("(?s).*dead, [1-3]?[0-9] s left.*"), second);
        assertTrue(second.contains("<li class=\"backend live\">" + live + "</li>"), second);
        assertTrue(second.contains("<li class=\"backend canary\">" + canary + "<span class=\"canary\"> canary, 20 %</span></li>"),
                second);
    }

    @Test
    void statsGiveRequestsPerSecondErrorShareAndPercentilesPerFrontend() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        wm.stubFor(any(urlEqualTo("/fail")).willReturn(aResponse().withStatus(503)));
        h.route("stats.test", "stats", ProxyHarness.url(wm));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, h.get("stats.test", "/").statusCode());
        }
        assertEquals(503, h.get("stats.test", "/fail").statusCode());

        JsonNode s = adminJson("/stats").path("frontends").path("stats.test");
        assertEquals(4, s.path("requests").asLong(), s.toString());
        assertEquals(0.25, s.path("errorShare").asDouble(), 1e-9, s.toString());
        assertTrue(s.path("rps").asDouble() > 0, s.toString());
        assertTrue(s.path("p50Ms").asDouble() > 0, s.toString());
        assertTrue(s.path("p99Ms").asDouble() >= s.path("p50Ms").asDouble(), s.toString());
    }

    @Test
    void thePageIsServedAtTheRootAsHtml() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("admin.port", 0));
        HttpResponse<String> r = admin("/");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().contains("<title>portier status</title>"));
    }

    /** The DOM after the page's script ran against the proxy, as headless Chromium prints it. */
    private String dumpDom(Path dir) throws Exception {
        String chromium = chromium();
        Files.createDirectories(dir);
        File out = dir.resolve("dom.html").toFile();
        File err = dir.resolve("chromium.log").toFile();
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile"), "--virtual-time-budget=5000", "--dump-dom",
                "http://127.0.0.1:" + h.proxy().adminPort() + "/")
                .redirectOutput(out).redirectError(err).start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish in 90 s");
            assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(err));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // the rendered part: the script's own text would match what is looked for
        String dom = read(out);
        int start = dom.indexOf("<div id=\"summary\">");
        int end = dom.indexOf("</tbody>");
        assertTrue(start >= 0 && end > start, dom);
        return dom.substring(start, end);
    }

    private static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path c = Path.of(dir, "chromium");
            if (Files.isExecutable(c)) {
                return c.toString();
            }
        }
        throw new AssertionError("chromium not on PATH: install Debian's chromium (.ci/run does)");
    }

    private static String read(File f) {
        try {
            return Files.readString(f.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
