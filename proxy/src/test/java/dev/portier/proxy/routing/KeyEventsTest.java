package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static dev.portier.proxy.routing.RouteSources.top;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keyspace events bring every change an operator might make to the table within milliseconds. */
class KeyEventsTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void redisCliChangesReachTheTableWithinMillisecondsThroughNotifications() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        resolve(s, "a.test");

        redis.sync().lset("frontend:a.test", 1, "http://10.0.0.9:9");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.9:9".equals(top(s, "a.test")));

        redis.sync().rpush("frontend:a.test", "http://10.0.0.10:10");
        redis.sync().ltrim("frontend:a.test", 0, 0);
        redis.sync().rpush("frontend:a.test", "http://10.0.0.11:11");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.11:11".equals(top(s, "a.test")));

        redis.sync().del("frontend:a.test");
        await().atMost(Duration.ofMillis(500)).until(() -> resolve(s, "a.test").status() == Lookup.Status.NOT_FOUND);
    }

    @Test
    void everyListAndKeyCommandAnOperatorMightTypeIsFollowed() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        resolve(s, "a.test");

        redis.sync().linsert("frontend:a.test", true, "http://10.0.0.1:1", "http://10.0.0.2:2");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.2:2".equals(top(s, "a.test")));
        redis.sync().lrem("frontend:a.test", 0, "http://10.0.0.2:2");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.1:1".equals(top(s, "a.test")));
        redis.sync().rpush("frontend:staging", "app", "http://10.0.0.3:3");
        redis.sync().rename("frontend:staging", "frontend:a.test");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.3:3".equals(top(s, "a.test")));
        redis.sync().pexpire("frontend:a.test", 50);
        await().atMost(Duration.ofMillis(1500)).until(() -> resolve(s, "a.test").status() == Lookup.Status.NOT_FOUND);
    }

    @Test
    void aChangeMadeWhileOnlyTheSubscriptionWasDownIsReadWhenItIsBack() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        resolve(s, "a.test");
        // as Redis does to a subscriber over its output buffer limit: the subscription drops and the
        // change comes before Lettuce re-subscribes (one transaction), while the command link stays up
        redis.sync().multi();
        redis.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        redis.sync().lset("frontend:a.test", 1, "http://10.0.0.9:9");
        redis.sync().exec();
        await().atMost(Duration.ofSeconds(5)).until(() -> "http://10.0.0.9:9".equals(top(s, "a.test")));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        redis.sync().lset("frontend:a.test", 1, "http://10.0.0.10:10");
        await().atMost(Duration.ofMillis(500)).until(() -> "http://10.0.0.10:10".equals(top(s, "a.test")));
    }

    @Test
    void aFrontendCreatedForAnUnknownHostIsSeen() {
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "new.test").status());
        redis.sync().rpush("frontend:*.test", "wild", "http://10.0.0.1:1");
        await().atMost(Duration.ofMillis(500)).until(() -> s.cached("new.test").status() == Lookup.Status.FOUND);
    }

    @Test
    void aRouteCreatedForAHostAnsweredFromTheIndexIsSeenWithinMilliseconds() {
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "late.test").status());
        redis.sync().rpush("frontend:late.test", "late", "http://10.0.0.1:1");
        await().atMost(Duration.ofMillis(500)).until(() -> resolve(s, "late.test").status() == Lookup.Status.FOUND);
        redis.sync().del("frontend:late.test");
        await().atMost(Duration.ofMillis(500)).until(() -> resolve(s, "late.test").status() == Lookup.Status.NOT_FOUND);
        redis.sync().rpush("frontend:*", "catch-all", "http://10.0.0.2:2");
        await().atMost(Duration.ofMillis(500)).until(() -> resolve(s, "late.test").status() == Lookup.Status.FOUND);
        assertEquals("catch-all", resolve(s, "late.test").frontend().identifier());
    }

    @Test
    void anAtomicRewriteLeavesNoMomentWithoutTheRoute() throws Exception {
        redis.sync().rpush("frontend:sw.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        resolve(s, "sw.test");
        java.util.concurrent.atomic.AtomicInteger gaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread poller = new Thread(() -> {
            while (!done.get()) {
                // both paths: the remembered answer and one worked out from the index
                if (resolve(s, "sw.test").status() != Lookup.Status.FOUND
                        || resolve(s, "n" + System.nanoTime() + ".sw.test").status() == Lookup.Status.UNAVAILABLE) {
                    gaps.incrementAndGet();
                }
            }
        });
        poller.start();
        try {
            for (int i = 0; i < 200; i++) {
                redis.sync().multi();
                redis.sync().del("frontend:sw.test");
                redis.sync().rpush("frontend:sw.test", "app", "http://10.0.0." + (i % 2 + 1) + ":1");
                redis.sync().exec();
            }
        } finally {
            done.set(true);
            poller.join();
        }
        assertEquals(0, gaps.get(), "answers other than FOUND during 200 MULTI/DEL/RPUSH/EXEC rewrites");
    }
}
