package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hosts looked up in Redis: which key answers, what a miss costs, and that a fresh route is seen. */
class HostResolverTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void exactHostBeatsWildcardWhichBeatsCatchAll() {
        redis.sync().rpush("frontend:www.example.com", "exact", "http://10.0.0.1:1");
        redis.sync().rpush("frontend:*.example.com", "wild", "http://10.0.0.2:2");
        redis.sync().rpush("frontend:*", "any", "http://10.0.0.3:3");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));

        assertEquals("exact", resolve(s, "www.example.com").frontend().identifier());
        Lookup wild = resolve(s, "api.example.com");
        assertEquals("wild", wild.frontend().identifier());
        assertEquals("*.example.com", wild.frontendKey());
        assertEquals("any", resolve(s, "example.com").frontend().identifier());
    }

    @Test
    void hostWithoutAnyListIsNotFound() {
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "nowhere.example").status());
        assertEquals(Lookup.Status.NOT_FOUND, s.cached("nowhere.example").status());
    }

    @Test
    void driverUrlPrefixAppliesToEveryKey() {
        redis.sync().rpush("hip:frontend:a.test", "prefixed", "http://10.0.0.1:1");
        redis.sync().rpush("frontend:a.test", "unprefixed", "http://10.0.0.2:2");
        RedisRouteSource s = routes.source(redis.driverUrl() + "#hip:", true, Duration.ofSeconds(60));
        assertEquals("prefixed", resolve(s, "a.test").frontend().identifier());
    }

    @Test
    void concurrentMissesForOneHostShareOneRead() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        // without notifications there is no key index, so the miss must go to Redis
        RedisRouteSource s = routes.source(false, Duration.ofSeconds(60));
        long before = routes.lrangeCalls();
        List<CompletableFuture<Lookup>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(s.lookup("x.a.test").toCompletableFuture());
        }
        all.forEach(f -> assertEquals(Lookup.Status.NOT_FOUND, f.join().status()));
        // one read: one LRANGE per candidate (x.a.test, *.a.test, *.test, *)
        assertEquals(4, routes.lrangeCalls() - before);
    }

    @Test
    void withoutNotificationsAMissIsTrustedForTheRefreshPeriod() {
        RedisRouteSource s = routes.source(false, Duration.ofSeconds(60));
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "miss.example.org").status());
        long before = routes.routeReads();
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "miss.example.org").status());
        assertEquals(Lookup.Status.NOT_FOUND, resolve(s, "other.example.org").status());
        // other.example.org shares *.example.org, *.org and * with the first miss: one read, its own key
        assertEquals(1, routes.routeReads() - before);
    }

    @Test
    void aRouteWrittenJustBeforeTheFirstRequestForItsHostIsSeen() {
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        for (int i = 0; i < 200; i++) {
            redis.sync().rpush("frontend:new" + i + ".test", "app", "http://10.0.0.1:1");
            // no wait for the keyspace event: the lookup itself must not answer before it
            assertEquals(Lookup.Status.FOUND, resolve(s, "new" + i + ".test").status(), "new" + i + ".test");
        }
    }
}
