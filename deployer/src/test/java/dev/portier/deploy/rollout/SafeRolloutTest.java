package dev.portier.deploy.rollout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.portier.common.RedisDriverUrl;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DockerHarness;
import dev.portier.deploy.testing.ProxyLoad;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.config.ProxySettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Canary and watch after the promotion on the real proxy (its admin listener's /backends figures),
 * real Redis and real containers, under load from 100 clients alternating / and /cgi-bin/checkout,
 * the path the broken image answers 500 on.
 */
class SafeRolloutTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @RegisterExtension
    static final WireMockExtension HOOKS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String CHECKOUT = "/cgi-bin/checkout";

    private ProxyServer proxy;
    private String proxyUrl;
    private String adminUrl;
    private String hook;

    @BeforeEach
    void start() {
        ProxySettings settings = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                RedisDriverUrl.parse(H.redis.driverUrl())).with("admin.port", 0);
        proxy = ProxyServer.start(settings);
        proxyUrl = "http://127.0.0.1:" + proxy.port();
        adminUrl = "http://127.0.0.1:" + proxy.adminPort();
        HOOKS.stubFor(post("/hook").willReturn(aResponse().withStatus(204)));
        hook = HOOKS.baseUrl() + "/hook";
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private String liveV1() {
        DockerHarness.Run first = H.deploy(H.images.v1(), "app.test", "--proxy-url", proxyUrl);
        assertEquals(0, first.exit(), first.all());
        return H.list("app.test").get(1);
    }

    private DockerHarness.Run deployWatching(String image, String... extra) {
        List<String> args = new ArrayList<>(List.of("--proxy-url", proxyUrl, "--proxy-admin", adminUrl, "--watch-interval", "500ms",
                "--min-requests", "20", "--webhook", hook));
        args.addAll(List.of(extra));
        return H.deploy(image, "app.test", args.toArray(new String[0]));
    }

    private static JsonNode failureEvent() throws Exception {
        var requests = HOOKS.findAll(postRequestedFor(urlEqualTo("/hook")));
        for (int i = requests.size() - 1; i >= 0; i--) {
            JsonNode e = new ObjectMapper().readTree(requests.get(i).getBodyAsString());
            if ("deploy".equals(e.path("action").asText()) && "failure".equals(e.path("status").asText())) {
                return e;
            }
        }
        throw new AssertionError("no deploy failure webhook among " + requests.size());
    }

    /** The deploy history's entry for what the deployer took away by itself. */
    private static JsonNode autoRollbackEntry() throws Exception {
        for (String json : H.redis.sync().lrange("deploys", 0, -1)) {
            JsonNode e = new ObjectMapper().readTree(json);
            if ("auto-rollback".equals(e.path("command").asText()) && "rolled-back".equals(e.path("outcome").asText())) {
                return e;
            }
        }
        throw new AssertionError("no auto-rollback entry in " + H.redis.sync().lrange("deploys", 0, -1));
    }

    /** Every failed answer came from {@code bad} on the checkout path; the live version failed none; no connection error at all. */
    private static void onlyTheNewVersionFailed(List<ProxyLoad.Sample> all, String live, long commandEnd) {
        List<ProxyLoad.Sample> noAnswer = all.stream().filter(s -> s.error() != null).limit(5).toList();
        assertEquals(List.of(), noAnswer, "requests without an HTTP answer");
        List<ProxyLoad.Sample> liveFailed = all.stream().filter(s -> live.equals(s.backend()) && s.failed()).limit(5).toList();
        assertEquals(List.of(), liveFailed, "the live version failed requests");
        List<ProxyLoad.Sample> otherFailures = all.stream().filter(s -> s.failed() && !(s.status() == 500 && CHECKOUT.equals(s.path())))
                .limit(5).toList();
        assertEquals(List.of(), otherFailures, "failures other than the broken checkout");
        List<ProxyLoad.Sample> late = all.stream().filter(s -> s.failed() && s.startNanos() > commandEnd).limit(5).toList();
        assertEquals(List.of(), late, "failures after the deployer had taken the version away");
    }

    @Test
    void aBrokenCanaryIsTakenAwayEarlyAndTheLiveVersionFailsNothing() throws Exception {
        String v1 = liveV1();
        DockerHarness.Run run;
        long start;
        long end;
        List<ProxyLoad.Sample> all;
        try (ProxyLoad load = ProxyLoad.start(URI.create(proxyUrl), "app.test", 4, 100, "/", CHECKOUT)) {
            load.awaitMore(200);
            start = System.nanoTime();
            run = deployWatching(H.images.broken(), "--canary", "20%", "--canary-for", "60s");
            end = System.nanoTime();
            load.awaitMore(200);
            all = load.samples();
        }
        assertEquals(ExitCode.DEPLOY_FAILED, run.exit(), run.all());
        assertTrue(run.all().contains("canary rejected"), run.all());
        assertTrue((end - start) / 1e9 < 45, "judged well before the 60 s window ended: " + (end - start) / 1e9 + " s");
        assertEquals(List.of("default", v1), H.list("app.test"), "the live list never changed");
        assertEquals(0L, H.redis.sync().exists("canary:app.test"), "canary removed");
        assertEquals(List.of(), H.containers("broken"), "the canary's container removed");
        assertEquals("broken", H.redis.sync().get("rolledback:app.test"));

        Set<String> canaryBackends = new TreeSet<>();
        all.stream().filter(s -> s.backend() != null && !v1.equals(s.backend())).forEach(s -> canaryBackends.add(s.backend()));
        assertEquals(1, canaryBackends.size(), "the canary got requests: " + canaryBackends);
        onlyTheNewVersionFailed(all, v1, end);
        assertTrue(all.stream().anyMatch(ProxyLoad.Sample::failed), "the canary's checkout did fail (else the test proves nothing)");

        JsonNode event = failureEvent();
        assertEquals("broken", event.path("version").asText());
        assertTrue(autoRollbackEntry().path("detail").asText().startsWith("canary rejected: "));
        assertTrue(event.path("error").asText().matches("(?s)canary rejected: .*5xx.*reference \\d+ requests.*"), event.toString());
        System.out.printf("broken canary: judged in %.1f s; %d requests, %d failed (all on the canary's checkout)%n",
                (end - start) / 1e9, all.size(), all.stream().filter(ProxyLoad.Sample::failed).count());
    }

    @Test
    void aGoodCanaryIsPromotedToEveryoneWithoutAFailedRequest() {
        String v1 = liveV1();
        DockerHarness.Run run;
        long end;
        List<ProxyLoad.Sample> all;
        try (ProxyLoad load = ProxyLoad.start(URI.create(proxyUrl), "app.test", 4, 100, "/", CHECKOUT)) {
            load.awaitMore(200);
            // p99 of a CGI on two cores shared with other builds is noise; latency verdicts are CanaryVerdictTest's
            run = deployWatching(H.images.v2(), "--canary", "20%", "--canary-for", "4s", "--p99-floor", "10s");
            end = System.nanoTime();
            load.awaitMore(300);
            all = load.samples();
        }
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.all().contains("canary passed"), run.all());
        String v2 = H.list("app.test").get(1);
        assertFalse(v1.equals(v2));
        assertEquals(0L, H.redis.sync().exists("canary:app.test"), "the promotion ended the canary");
        assertEquals(List.of(), all.stream().filter(ProxyLoad.Sample::failed).limit(5).toList(), "failed requests");
        assertTrue(all.stream().anyMatch(s -> v2.equals(s.backend()) && s.endNanos() < end - 1_000_000_000L),
                "v2 answered as a canary before the promotion");
        List<String> after = all.stream().filter(s -> s.startNanos() > end).map(ProxyLoad.Sample::backend).distinct().toList();
        assertEquals(List.of(v2), after, "after the deploy only v2 answers");
        System.out.printf("good canary: %d requests, 0 failed; %d answered by v2 as the canary%n", all.size(),
                all.stream().filter(s -> v2.equals(s.backend()) && s.endNanos() < end).count());
    }

    @Test
    void aRegressionAfterThePromotionIsRolledBackByItself() throws Exception {
        String v1 = liveV1();
        DockerHarness.Run run;
        long start;
        long end;
        List<ProxyLoad.Sample> all;
        try (ProxyLoad load = ProxyLoad.start(URI.create(proxyUrl), "app.test", 4, 100, "/", CHECKOUT)) {
            load.awaitMore(200);
            start = System.nanoTime();
            run = deployWatching(H.images.broken(), "--watch-after", "60s");
            end = System.nanoTime();
            load.awaitMore(200);
            all = load.samples();
        }
        assertEquals(ExitCode.DEPLOY_FAILED, run.exit(), run.all());
        assertTrue(run.all().contains("regression after the promotion"), run.all());
        assertTrue((end - start) / 1e9 < 45, "rolled back well before the 60 s watch ended: " + (end - start) / 1e9 + " s");
        assertEquals(List.of("default", v1), H.list("app.test"), "back on v1's container");
        assertEquals(List.of(), H.containers("broken"), "the regressed container removed");
        assertEquals("broken", H.redis.sync().get("rolledback:app.test"));
        assertEquals(List.of(v1), all.stream().filter(s -> s.startNanos() > end).map(ProxyLoad.Sample::backend).distinct().toList());
        onlyTheNewVersionFailed(all, v1, end);
        JsonNode event = failureEvent();
        assertTrue(event.path("error").asText().contains("regression after the promotion: "), event.toString());
        assertTrue(event.path("error").asText().contains("rolled back to v1"), event.toString());
        JsonNode history = autoRollbackEntry();
        assertEquals("broken", history.path("version").asText());
        assertTrue(history.path("detail").asText().startsWith("regression after the promotion: 5xx share"), history.toString());
        System.out.printf("regression after the promotion: rolled back in %.1f s; %d requests, %d failed (all on the new version's checkout)%n",
                (end - start) / 1e9, all.size(), all.stream().filter(ProxyLoad.Sample::failed).count());
    }
}
