package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static dev.portier.proxy.routing.RouteSources.top;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The periodic refresh: it catches changes without notifications, and re-reads only what is in use. */
class TableRefreshTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void withoutNotificationsThePeriodicRefreshCatchesChanges() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(false, Duration.ofMillis(200));
        resolve(s, "a.test");
        redis.sync().lset("frontend:a.test", 1, "http://10.0.0.9:9");
        await().atMost(Duration.ofSeconds(3)).until(() -> "http://10.0.0.9:9".equals(top(s, "a.test")));
        assertEquals("", redis.sync().configGet("notify-keyspace-events").get("notify-keyspace-events"),
                "a source told not to use notifications must not turn them on");
    }

    @Test
    void withoutNotificationsMissesAreNeverReReadByTheRefresh() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(false, Duration.ofMillis(100));
        resolve(s, "a.test");
        for (int i = 0; i < 300; i++) {
            assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "miss-" + i + ".example.org").status());
        }
        // each refresh re-reads a.test's three candidate keys; before, also the 600 keys of the misses
        long before = routes.lrangeCalls();
        await().atMost(Duration.ofSeconds(5)).until(() -> routes.lrangeCalls() - before >= 9);
        assertTrue(routes.lrangeCalls() - before < 100, "refresh reads: " + (routes.lrangeCalls() - before));
    }
}
