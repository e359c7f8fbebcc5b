package dev.portier.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.config.Balancing;
import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.RedisRouteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminServerTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void closeAll() throws Exception {
        redis.server().thaw();
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        opened.push(c);
        return c;
    }

    private static final int ADMIN_CAP = 64;

    private ProxyServer proxy() {
        redis.flushAll();
        ProxySettings s = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                RedisDriverUrl.parse(redis.driverUrl())).with("listeners.workers", 1).with("admin.port", 0)
                .with("admin.bind", "127.0.0.1").with("admin.maxConnections", ADMIN_CAP);
        return track(ProxyServer.start(s));
    }

    private JsonNode healthz(int adminPort) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void healthzCallsAFrozenRedisDegradedAndSaysHowOldItsLastReplyIs() throws Exception {
        ProxyServer proxy = proxy();
        int admin = proxy.adminPort();
        await().atMost(Duration.ofSeconds(5)).until(() -> "up".equals(healthz(admin).get("redis").asText()));

        redis.server().freeze();
        // the connection stays open: only the age of the last reply shows that nothing answers
        await().atMost(Duration.ofSeconds(10)).until(() -> "degraded".equals(healthz(admin).get("redis").asText()));
        JsonNode frozen = healthz(admin);
        assertEquals(true, frozen.get("redisReplyAgeMs").asLong() > 5_000, frozen.toString());

        redis.server().thaw();
        await().atMost(Duration.ofSeconds(5)).until(() -> "up".equals(healthz(admin).get("redis").asText()));
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndPublicRequestsAreStillServed() throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", ex -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        backend.start();
        track(() -> backend.stop(0));
        ProxyServer proxy = proxy();
        redis.sync().rpush("frontend:app.test", "app", "http://127.0.0.1:" + backend.getAddress().getPort());

        int cap = ADMIN_CAP;
        int answered = 0;
        int closed = 0;
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < cap + 20; i++) {
                Socket s = new Socket("127.0.0.1", proxy.adminPort());
                held.add(s);
                if (answersHealthz(s)) {
                    answered++;
                } else {
                    closed++;
                }
            }
            assertEquals(cap, answered);
            assertEquals(20, closed);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/"))
                    .header("Host", "app.test").timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("hello", r.body());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // once the held connections are gone the listener takes new ones again
        int admin = proxy.adminPort();
        await().atMost(Duration.ofSeconds(5)).until(() -> healthz(admin).has("redis"));
    }

    /** Sends GET /healthz on a kept-alive connection; false when the server closed it instead of answering. */
    private static boolean answersHealthz(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try {
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int first = in.read();
            return first == 'H';
        } catch (SocketTimeoutException e) {
            throw new AssertionError("an admin connection neither answered nor was closed within 5 s", e);
        } catch (IOException e) {
            return false; // reset: closed by the server
        }
    }

    @Test
    void idleAdminConnectionsAreClosed() throws Exception {
        RedisDriverUrl url = RedisDriverUrl.parse(redis.driverUrl());
        RedisRouteSource routes = track(new RedisRouteSource(url, url, Balancing.RANDOM, Duration.ofSeconds(30),
                Duration.ofSeconds(1), true));
        AdminServer admin = track(new AdminServer(new InetSocketAddress("127.0.0.1", 0), routes,
                new ProxyMetrics(null, 0, "datadog"), () -> true,
                new AdminServer.Limits(256, Duration.ofMillis(300), Duration.ofSeconds(5))));
        try (Socket silent = new Socket("127.0.0.1", admin.port());
             Socket used = new Socket("127.0.0.1", admin.port())) {
            assertEquals(true, answersHealthz(used));
            silent.setSoTimeout(5_000);
            used.setSoTimeout(5_000);
            // read until the end of the stream: the server closes both within the idle timeout
            assertEquals(-1, silent.getInputStream().read());
            InputStream in = used.getInputStream();
            while (in.read() != -1) {
                // the rest of the /healthz answer
            }
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> admin.openConnections() == 0);
    }
}
