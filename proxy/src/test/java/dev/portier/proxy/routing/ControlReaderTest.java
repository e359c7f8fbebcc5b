package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Canary, maintenance and pause hashes are read with their frontend and followed after. */
class ControlReaderTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void aCanaryWrittenBeforeStartIsReadWithItsFrontendAndFollowedAfter() {
        redis.sync().rpush("frontend:c.test", "app", "http://10.0.0.1:1");
        redis.sync().hset("canary:c.test", java.util.Map.of("backend", "http://10.0.0.9:9", "percent", "10"));
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);

        Lookup l = resolve(s, "c.test");
        assertEquals(10, s.controls(l).canary().percent());
        assertEquals("http://10.0.0.9:9", s.controls(l).canary().backend().raw());

        redis.sync().hset("canary:c.test", "percent", "55");
        await().atMost(Duration.ofSeconds(2)).until(() -> s.controls(l).canary().percent() == 55);
        redis.sync().del("canary:c.test");
        await().atMost(Duration.ofSeconds(2)).until(() -> s.controls(l) == null);
        // a frontend with no control key costs no control read: the index knows them absent
        assertTrue(!s.tableForTest().indexes().control(ControlFamily.CANARY).mayExist("c.test"));

        redis.sync().hset("maintenance:c.test", "message", "back soon");
        await().atMost(Duration.ofSeconds(2)).until(() -> s.controls(l) != null && s.controls(l).maintenance() != null);
        assertEquals(new Maintenance("back soon", Maintenance.DEFAULT_RETRY_AFTER), s.controls(l).maintenance());
    }

    @Test
    void withoutNotificationsTheRefreshReadsControlsAndABadCanaryIsIgnored() {
        redis.sync().rpush("frontend:r.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(false, Duration.ofMillis(200));
        Lookup l = resolve(s, "r.test");
        assertNull(s.controls(l));

        redis.sync().hset("canary:r.test", java.util.Map.of("backend", "http://10.0.0.9:9", "percent", "lots"));
        redis.sync().hset("pause:r.test", "maxHold", "7");
        await().atMost(Duration.ofSeconds(5)).until(() -> s.controls(l) != null && s.controls(l).pause() != null);
        assertEquals(Duration.ofSeconds(7), s.controls(l).pause().maxHold());
        assertNull(s.controls(l).canary(), "a percent that is not a number: no canary");
    }
}
