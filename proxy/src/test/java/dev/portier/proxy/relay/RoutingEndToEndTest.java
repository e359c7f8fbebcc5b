package dev.portier.proxy.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Host header → Redis frontend → backend, end to end through a real proxy, Redis and backends. */
class RoutingEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @BeforeEach
    void start() {
        h = ProxyHarness.start(redis);
    }

    @AfterEach
    void stop() throws Exception {
        if (!redis.server().isRunning()) {
            redis.server().start();
        }
        h.close();
    }

    private WireMockServer backendSaying(String body) {
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(body)));
        return wm;
    }

    @Test
    void exactHostRoutesToItsFrontend() throws Exception {
        h.route("www.exact.test", "exact", ProxyHarness.url(backendSaying("exact")));
        h.route("*.exact.test", "wild", ProxyHarness.url(backendSaying("wild")));

        HttpResponse<String> r = h.get("www.exact.test", "/");

        assertEquals(200, r.statusCode());
        assertEquals("exact", r.body());
    }

    @Test
    void wildcardMatchesSubdomainsButNotTheBareDomain() throws Exception {
        h.route("*.example.com", "wild", ProxyHarness.url(backendSaying("wild")));
        h.route("*", "catchall", ProxyHarness.url(backendSaying("catchall")));

        assertEquals("wild", h.get("a.example.com", "/").body());
        assertEquals("wild", h.get("b.c.example.com", "/").body());
        assertEquals("catchall", h.get("example.com", "/").body());
    }

    @Test
    void catchAllAnswersAnyOtherHost() throws Exception {
        h.route("*", "catchall", ProxyHarness.url(backendSaying("catchall")));

        HttpResponse<String> r = h.get("nothing-else.matches.test", "/");

        assertEquals(200, r.statusCode());
        assertEquals("catchall", r.body());
    }

    @Test
    void portInHostIsIgnored() throws Exception {
        h.route("ported.test", "p", ProxyHarness.url(backendSaying("ported")));

        assertEquals("ported", h.get("ported.test:8080", "/").body());
    }

    @Test
    void upperCaseHostIsLowerCased() throws Exception {
        h.route("upper.test", "u", ProxyHarness.url(backendSaying("upper")));

        assertEquals("upper", h.get("UPPER.Test", "/").body());
        assertEquals("upper", h.get("UPPER.TEST:81", "/").body());
    }

    @Test
    void missingHostIs400AndNeverReachesABackend() throws Exception {
        WireMockServer wm = backendSaying("catchall");
        h.route("*", "catchall", ProxyHarness.url(wm));

        RawHttp.Message r = h.client().send("GET / HTTP/1.1\r\nUser-Agent: t\r\n\r\n").read();

        assertEquals(400, r.status());
        assertEquals(0, wm.getAllServeEvents().size());
    }

    @Test
    void unknownHostIs400WithHipachesErrorPage() throws Exception {
        h.route("known.test", "k", ProxyHarness.url(backendSaying("known")));

        HttpResponse<String> r = h.get("unknown.test", "/");

        assertEquals(400, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(null));
        assertEquals("no-cache", r.headers().firstValue("pragma").orElse(null));
        assertEquals("-1", r.headers().firstValue("expires").orElse(null));
        assertTrue(r.body().toLowerCase().contains("<html"), r.body());
    }

    @Test
    void pingAnswersOkWithoutRedis() throws Exception {
        redis.server().stop();

        HttpResponse<String> r = h.get("__ping__", "/");

        assertEquals(200, r.statusCode());
        assertEquals("ok", r.body());
    }

    @Test
    void frontendWhoseBackendsAllRefuseIs502() throws Exception {
        h.route("refusing.test", "r", "http://127.0.0.1:" + FreePort.find(), "http://127.0.0.1:" + FreePort.find());

        HttpResponse<String> r = h.get("refusing.test", "/");

        assertEquals(502, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    }

    @Test
    void frontendWhoseBackendsAreAllMarkedDeadIs502WithoutTryingThem() throws Exception {
        WireMockServer wm1 = backendSaying("one");
        WireMockServer wm2 = backendSaying("two");
        h.route("alldead.test", "d", ProxyHarness.url(wm1), ProxyHarness.url(wm2));
        redis.sync().sadd("dead:alldead.test", "0", "1");
        redis.sync().expire("dead:alldead.test", 60);

        HttpResponse<String> r = h.get("alldead.test", "/");

        assertEquals(502, r.statusCode());
        assertEquals(0, wm1.getAllServeEvents().size() + wm2.getAllServeEvents().size());
    }

    @Test
    void neverSeenHostWhileRedisIsDownGets503Quickly() throws Exception {
        redis.server().stop();

        HttpResponse<String> r = assertTimeoutPreemptively(Duration.ofSeconds(3),
                () -> h.get("never.seen.test", "/"), "the proxy must answer, not hang, while Redis is down");

        assertEquals(503, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    }

    @Test
    void redisCliLsetSwitchIsUsedByTheNextRequests() throws Exception {
        h.route("switch.test", "s", ProxyHarness.url(backendSaying("blue")));
        String green = ProxyHarness.url(backendSaying("green"));
        assertEquals("blue", h.get("switch.test", "/").body());

        redis.sync().lset("frontend:switch.test", 1, green);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("green", h.get("switch.test", "/").body()));
        for (int i = 0; i < 5; i++) {
            assertTrue(h.get("switch.test", "/").body().equals("green"), "stays on the new backend");
        }
    }
}
