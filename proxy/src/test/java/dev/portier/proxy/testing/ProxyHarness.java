package dev.portier.proxy.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.config.ProxySettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

/**
 * Starts a real proxy on 127.0.0.1:0 against the test class's real Redis, writes routes as
 * redis-cli would, and closes everything it or the test opened ({@link #track}) in reverse order.
 * Use one per test: {@code try (ProxyHarness h = ProxyHarness.start(redis)) { ... }} or close it in @AfterEach.
 */
public final class ProxyHarness implements AutoCloseable {

    static {
        // java.net.http refuses to send a Host header of our choosing without this; surefire sets it
        // too, since the JDK reads it once, when the HTTP client is first used in the JVM
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private final RedisServerExtension redis;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final ProxyServer proxy;
    private final HttpClient http;

    private ProxyHarness(RedisServerExtension redis, ProxySettings settings) {
        this.redis = redis;
        redis.flushAll();
        this.proxy = ProxyServer.start(settings);
        resources.push(proxy);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static ProxyHarness start(RedisServerExtension redis) {
        return start(redis, s -> s);
    }

    /** Starts with the defaults changed by {@code tweaks}: {@code s -> s.with("timeouts.backend", Duration.ofMillis(500))}. */
    public static ProxyHarness start(RedisServerExtension redis, UnaryOperator<ProxySettings> tweaks) {
        ProxySettings s = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                RedisDriverUrl.parse(redis.driverUrl())).with("listeners.workers", 2);
        return new ProxyHarness(redis, tweaks.apply(s));
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public int port() {
        return proxy.port();
    }

    /** Closes {@code r} with the harness (before the proxy), even when the test fails. */
    public <T extends AutoCloseable> T track(T r) {
        resources.push(r);
        return r;
    }

    /** A WireMock backend on 127.0.0.1, stopped with the harness. */
    public WireMockServer wiremock() {
        return wiremock(0);
    }

    public WireMockServer wiremock(int port) {
        WireMockServer wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                .port(port).containerThreads(20).jettyAcceptors(1));
        wm.start();
        resources.push(wm::stop);
        return wm;
    }

    public static String url(WireMockServer wm) {
        return "http://127.0.0.1:" + wm.port();
    }

    public RawBackend track(RawBackend b) {
        resources.push(b);
        return b;
    }

    /** A raw client to the proxy, closed with the harness. */
    public RawClient client() throws IOException {
        return track(new RawClient(port()));
    }

    /** Replaces {@code frontend:<host>} with [identifier, backends...] as redis-cli DEL + RPUSH would. */
    public void route(String host, String identifier, String... backends) {
        redis.sync().del("frontend:" + host);
        String[] values = new String[backends.length + 1];
        values[0] = identifier;
        System.arraycopy(backends, 0, values, 1, backends.length);
        redis.sync().rpush("frontend:" + host, values);
    }

    public HttpRequest.Builder request(String host, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("Host", host).timeout(Duration.ofSeconds(20));
    }

    public HttpResponse<String> get(String host, String path) throws IOException, InterruptedException {
        return http.send(request(host, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return http.send(r, handler);
    }

    /** Subscribes to Hipache's {@code dead} channel before anything is marked; closed with the harness. */
    public BlockingQueue<String> subscribeDead() {
        RedisClient c = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + redis.port()));
        resources.push(c::shutdown);
        StatefulRedisPubSubConnection<String, String> conn = c.connectPubSub();
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        conn.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                messages.add(message);
            }
        });
        conn.sync().subscribe("dead");
        return messages;
    }

    public List<String> deadMarks(String host) {
        return List.copyOf(redis.sync().smembers("dead:" + host));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
