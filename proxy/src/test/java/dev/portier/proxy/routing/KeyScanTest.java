package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The key index built by the scan answers unknown hosts from memory. */
class KeyScanTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void unknownHostsCostNoRedisCommandOnceTheKeyIndexIsComplete() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        redis.sync().rpush("frontend:*.wild.test", "wild", "http://10.0.0.2:2");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        assertEquals("app", resolve(s, "a.test").frontend().identifier());
        assertEquals("wild", resolve(s, "x.wild.test").frontend().identifier());

        long before = routes.routeReads();
        for (int i = 0; i < 3000; i++) {
            assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "flood-" + i + ".example.org").status());
            assertEquals(Lookup.Status.NOT_FOUND, s.cached("flood-" + i + ".example.org").status());
        }
        // hosts under an existing wildcard: its list is held already, so they cost nothing either
        for (int i = 0; i < 3000; i++) {
            assertEquals("wild", resolve(s, "h" + i + ".wild.test").frontend().identifier());
        }
        assertEquals(0, routes.routeReads() - before, "route reads for 6,000 new hosts");
    }
}
