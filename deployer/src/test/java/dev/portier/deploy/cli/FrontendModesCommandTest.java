package dev.portier.deploy.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.ProxyLoad;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.config.ProxySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** maintenance/live and pause/resume on the real proxy under load: 503 with Retry-After then 200, held then relayed, never a connection error. */
class FrontendModesCommandTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final WireMockExtension BACKEND = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private ProxyServer proxy;
    private URI proxyUrl;

    @BeforeEach
    void start() {
        REDIS.flushAll();
        BACKEND.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        REDIS.sync().rpush("frontend:app.test", "site", "http://127.0.0.1:" + BACKEND.getPort());
        proxy = ProxyServer.start(ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0), RedisDriverUrl.parse(REDIS.driverUrl())));
        proxyUrl = URI.create("http://127.0.0.1:" + proxy.port());
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        String[] full = new String[args.length + 2];
        full[0] = "--redis";
        full[1] = REDIS.driverUrl();
        System.arraycopy(args, 0, full, 2, args.length);
        int code = PortierDeployer.commandLine(new PrintWriter(out, true), new PrintWriter(out, true)).execute(full);
        assertEquals(ExitCode.OK, code, out.toString());
        return out.toString();
    }

    private static void neverAConnectionError(List<ProxyLoad.Sample> all) {
        assertEquals(List.of(), all.stream().filter(s -> s.error() != null).limit(5).toList(), "requests without an HTTP answer");
    }

    @Test
    void maintenanceAnswers503WithRetryAfterThenLiveAnswers200() {
        List<ProxyLoad.Sample> all;
        long liveAt;
        try (ProxyLoad load = ProxyLoad.start(proxyUrl, "app.test", 4, 20, "/", "/shop")) {
            load.awaitAnswer(Duration.ofSeconds(10), s -> s.status() == 200);
            assertTrue(cli("maintenance", "--frontend", "app.test", "--message", "Back at 3", "--retry-after", "7")
                    .contains("app.test in maintenance: 503, Retry-After 7 s"));
            assertEquals("7", REDIS.sync().hget("maintenance:app.test", "retryAfter"));
            assertEquals("Back at 3", REDIS.sync().hget("maintenance:app.test", "message"));
            load.awaitAnswer(Duration.ofSeconds(5), s -> s.status() == 503);
            load.awaitMore(100);

            assertTrue(cli("live", "--frontend", "app.test").contains("app.test live again"));
            liveAt = System.nanoTime();
            assertEquals(0L, REDIS.sync().exists("maintenance:app.test"));
            ProxyLoad.Sample back = load.awaitAnswer(Duration.ofSeconds(5), s -> s.status() == 200);
            load.awaitMore(100);
            all = load.samples();
            long after = back.startNanos();
            assertEquals(List.of(), all.stream().filter(s -> s.startNanos() > after && s.status() != 200).limit(5).toList(),
                    "once live, every request is answered 200");
        }
        neverAConnectionError(all);
        List<ProxyLoad.Sample> unavailable = all.stream().filter(s -> s.status() == 503).toList();
        assertTrue(unavailable.size() >= 100, "answered 503 during the maintenance: " + unavailable.size());
        assertEquals(List.of(), unavailable.stream().filter(s -> !"7".equals(s.retryAfter())).limit(5).toList(), "503 without Retry-After: 7");
        assertEquals(List.of(), all.stream().filter(s -> s.status() != 200 && s.status() != 503).limit(5).toList(), "other answers");
        assertTrue(all.stream().anyMatch(s -> s.startNanos() < liveAt && s.status() == 503));
        assertTrue(cli("live", "--frontend", "app.test").contains("app.test was not in maintenance"));
    }

    @Test
    void pauseHoldsRequestsAndResumeRelaysThemAll() {
        List<ProxyLoad.Sample> all;
        long pausedAt;
        long resumedAt;
        try (ProxyLoad load = ProxyLoad.start(proxyUrl, "app.test", 4, 20, "/")) {
            load.awaitAnswer(Duration.ofSeconds(10), s -> s.status() == 200);
            assertTrue(cli("pause", "--frontend", "app.test", "--max-hold", "20").contains("app.test paused"));
            assertEquals("20", REDIS.sync().hget("pause:app.test", "maxHold"));
            pausedAt = System.nanoTime();
            // held: for a second, no request sent after the pause took hold gets an answer
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> load.startedWhen(t -> t > pausedAt + 200_000_000L).isEmpty());
            // taken before the command: the resume happens inside it, and the held requests may all be
            // answered before it returns (it opens its own Redis connection first)
            resumedAt = System.nanoTime();
            assertTrue(cli("resume", "--frontend", "app.test").contains("app.test resumed"));
            load.awaitMore(200);
            all = load.samples();
        }
        neverAConnectionError(all);
        assertEquals(List.of(), all.stream().filter(ProxyLoad.Sample::failed).limit(5).toList(), "every request answered 200");
        // every load thread was stuck on a held request: sent during the pause, answered after the resume
        long held = all.stream().filter(s -> s.startNanos() < resumedAt - 500_000_000L && s.endNanos() > resumedAt).count();
        System.out.printf("pause: %d requests held %.1f-%.1f s, answered after the resume%n", held,
                all.stream().filter(s -> s.endNanos() > resumedAt && s.startNanos() < resumedAt)
                        .mapToLong(s -> s.endNanos() - s.startNanos()).min().orElse(0) / 1e9,
                all.stream().mapToLong(s -> s.endNanos() - s.startNanos()).max().orElse(0) / 1e9);
        assertEquals(4, held, "requests held through the pause (one a load thread) and answered after the resume");
        assertEquals(0L, REDIS.sync().exists("pause:app.test"));
        assertTrue(cli("resume", "--frontend", "app.test").contains("app.test was not paused"));
    }
}
