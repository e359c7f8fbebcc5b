package dev.portier.proxy.routing;

import static org.awaitility.Awaitility.await;

import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.config.Balancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Route sources on a test class's own redis-server: register as an instance field with
 * {@code @RegisterExtension} beside the static {@link RedisServerExtension}. Before each test the
 * server runs (a test may have stopped it), empty and with notifications off; after it, every
 * source made is closed.
 */
final class RouteSources implements BeforeEachCallback, AfterEachCallback {

    private final RedisServerExtension redis;
    private final List<RedisRouteSource> made = new ArrayList<>();

    RouteSources(RedisServerExtension redis) {
        this.redis = redis;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!redis.server().isRunning()) {
            redis.server().start();
        }
        redis.flushAll();
        redis.sync().configSet("notify-keyspace-events", "");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        made.forEach(RedisRouteSource::close);
        made.clear();
    }

    /** A connected source; with a refresh of 60 s only notifications can explain a fast update. */
    RedisRouteSource source(boolean notifications, Duration refresh) {
        return source(redis.driverUrl(), notifications, refresh);
    }

    RedisRouteSource source(String url, boolean notifications, Duration refresh) {
        RedisRouteSource s = unconnected(url, notifications, refresh);
        await().atMost(Duration.ofSeconds(5)).until(s::redisConnected);
        return s;
    }

    /** A source not waited for (Redis may be down), closed after the test like the others. */
    RedisRouteSource unconnected(String url, boolean notifications, Duration refresh) {
        RedisDriverUrl u = RedisDriverUrl.parse(url);
        RedisRouteSource s = new RedisRouteSource(u, u, Balancing.FIRST, Duration.ofSeconds(30), refresh, notifications);
        made.add(s);
        return s;
    }

    static Lookup resolve(RouteSource s, String host) {
        return s.lookup(host).toCompletableFuture().join();
    }

    /** The first backend of the host's cached answer, or null. */
    static String top(RouteSource s, String host) {
        Lookup l = s.cached(host);
        return l == null || l.frontend() == null ? null : l.frontend().rawBackends().get(0);
    }

    long lrangeCalls() {
        return calls("lrange");
    }

    /** Reads of routes and dead marks Redis has served (LRANGE, and EVAL for dead marks). */
    long routeReads() {
        return calls("lrange") + calls("eval") + calls("evalsha");
    }

    private long calls(String command) {
        String stats = redis.sync().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }
}
