package dev.portier.proxy.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.config.Balancing;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refusals, resets, 5xx and slowness: dead marks as Hipache writes them, retries only when safe. */
class BackendFailureEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private WireMockServer answering(int status, String body) {
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withBody(body)));
        return wm;
    }

    private static int served(WireMockServer wm) {
        return wm.getAllServeEvents().size();
    }

    @Test
    void refusedBackendIsMarkedDeadAsHipacheDoesAndTheRequestRetriedOnTheNext() throws Exception {
        h = ProxyHarness.start(redis);
        BlockingQueue<String> dead = h.subscribeDead();
        String refused = "http://127.0.0.1:" + FreePort.find();
        WireMockServer live = answering(200, "live");
        h.route("refused.test", "r", refused, ProxyHarness.url(live));

        HttpResponse<String> r = h.get("refused.test", "/");

        assertEquals(200, r.statusCode());
        assertEquals("live", r.body());
        assertEquals("refused.test;" + refused + ";0;2", dead.poll(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> h.deadMarks("refused.test").equals(List.of("0")));
        long ttl = redis.sync().ttl("dead:refused.test");
        assertTrue(ttl > 0 && ttl <= 30, "dead mark TTL " + ttl);
    }

    @Test
    void singleBackendFrontendIsNeverMarkedDead() throws Exception {
        h = ProxyHarness.start(redis);
        BlockingQueue<String> dead = h.subscribeDead();
        int port = FreePort.find();
        h.route("single.test", "s", "http://127.0.0.1:" + port);

        assertEquals(502, h.get("single.test", "/").statusCode());
        WireMockServer back = h.wiremock(port);
        back.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("back")));

        HttpResponse<String> r = h.get("single.test", "/");
        assertEquals("back", r.body(), "a single backend must be tried again at once, not held dead");
        assertEquals(List.of(), h.deadMarks("single.test"));
        assertEquals(null, dead.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void backend502Or503MarksDeadButIsPassedThrough() throws Exception {
        h = ProxyHarness.start(redis);
        WireMockServer failing = answering(503, "backend says 503");
        WireMockServer live = answering(200, "live");
        h.route("fivexx.test", "f", ProxyHarness.url(failing), ProxyHarness.url(live));

        HttpResponse<String> first = h.get("fivexx.test", "/");

        assertEquals(503, first.statusCode());
        assertEquals("backend says 503", first.body());
        await().atMost(Duration.ofSeconds(5)).until(() -> h.deadMarks("fivexx.test").equals(List.of("0")));
        assertEquals("live", h.get("fivexx.test", "/").body());
    }

    @Test
    void backend503WithRetryAfterIsMaintenanceNotDeath() throws Exception {
        // the second backend is a fallback here: it must see nothing
        h = ProxyHarness.start(redis, s -> s.with("backends.balancing", Balancing.FIRST));
        WireMockServer maintenance = h.wiremock();
        maintenance.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "120")
                .withBody("maintenance")));
        WireMockServer other = answering(200, "other");
        h.route("maint.test", "m", ProxyHarness.url(maintenance), ProxyHarness.url(other));

        assertEquals("maintenance", h.get("maint.test", "/").body());
        assertEquals("maintenance", h.get("maint.test", "/").body());
        assertEquals(List.of(), h.deadMarks("maint.test"));
        assertEquals(0, served(other));
    }

    @Test
    void backend500DoesNotMarkDeadByDefault() throws Exception {
        // the second backend is a fallback here: it must see nothing
        h = ProxyHarness.start(redis, s -> s.with("backends.balancing", Balancing.FIRST));
        WireMockServer erring = answering(500, "oops");
        WireMockServer other = answering(200, "other");
        h.route("five.test", "f", ProxyHarness.url(erring), ProxyHarness.url(other));

        assertEquals(500, h.get("five.test", "/").statusCode());
        assertEquals(500, h.get("five.test", "/").statusCode());
        assertEquals(List.of(), h.deadMarks("five.test"));
        assertEquals(0, served(other));
    }

    @Test
    void backend500MarksDeadWithDeadBackendOn500() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("backends.deadOn500", true));
        WireMockServer erring = answering(500, "oops");
        WireMockServer other = answering(200, "other");
        h.route("five-on.test", "f", ProxyHarness.url(erring), ProxyHarness.url(other));

        assertEquals(500, h.get("five-on.test", "/").statusCode());

        await().atMost(Duration.ofSeconds(5)).until(() -> h.deadMarks("five-on.test").equals(List.of("0")));
        assertEquals("other", h.get("five-on.test", "/").body());
    }

    @Test
    void backendSlowerThanTheTimeoutGets504() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.backend", Duration.ofMillis(500)));
        WireMockServer slow = h.wiremock();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(4000).withBody("late")));
        h.route("slow.test", "s", ProxyHarness.url(slow));

        HttpResponse<String> r = h.get("slow.test", "/");

        assertEquals(504, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    }

    @Test
    void resetBeforeAnyResponseByteOnGetIsRetriedOnAnotherBackend() throws Exception {
        h = ProxyHarness.start(redis);
        WireMockServer resetting = h.wiremock();
        resetting.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        WireMockServer live = answering(200, "live");
        h.route("reset.test", "r", ProxyHarness.url(resetting), ProxyHarness.url(live));

        HttpResponse<String> r = h.get("reset.test", "/");

        assertEquals(200, r.statusCode());
        assertEquals("live", r.body());
        assertEquals(1, served(resetting));
    }

    @Test
    void emptyResponseOnGetIsRetriedOnAnotherBackend() throws Exception {
        h = ProxyHarness.start(redis);
        WireMockServer empty = h.wiremock();
        empty.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        WireMockServer live = answering(200, "live");
        h.route("empty.test", "e", ProxyHarness.url(empty), ProxyHarness.url(live));

        HttpResponse<String> r = h.get("empty.test", "/");

        assertEquals(200, r.statusCode());
        assertEquals("live", r.body());
    }

    @Test
    void resetAfterAPostBodyWasSentIs502AndNotReplayed() throws Exception {
        h = ProxyHarness.start(redis);
        WireMockServer resetting = h.wiremock();
        resetting.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        WireMockServer second = answering(200, "second");
        h.route("post.test", "p", ProxyHarness.url(resetting), ProxyHarness.url(second));

        HttpResponse<String> r = h.send(h.request("post.test", "/order")
                .POST(HttpRequest.BodyPublishers.ofString("{\"buy\":1}")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(502, r.statusCode());
        assertEquals(1, served(resetting));
        assertEquals(0, served(second), "a POST whose body was sent must not be replayed elsewhere");
    }

    @Test
    void chunkedPostToARefusedBackendIsSentWholeToTheNext() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend live = h.track(RawBackend.http((req, out) -> RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-length: "
                + req.bodyLength() + "\r\n\r\n" + req.bodyText())));
        h.route("chunked-retry.test", "c", "http://127.0.0.1:" + FreePort.find(), live.url());

        RawHttp.Message r = h.client().send("POST /c HTTP/1.1\r\nHost: chunked-retry.test\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();

        assertEquals(200, r.status());
        assertEquals("hello world", r.bodyText());
    }
}
