package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dead marks read from Redis are honoured, whoever wrote them. */
class DeadMarkReaderTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void deadMarksInRedisAreHonouredUntilTheyExpire() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        redis.sync().sadd("dead:a.test", "0");
        redis.sync().pexpire("dead:a.test", 2000);
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        Lookup l = resolve(s, "a.test");
        assertEquals(1, s.choose(l, new BitSet()));
        await().atMost(Duration.ofSeconds(6)).until(() -> s.choose(l, new BitSet()) == 0);
    }

    @Test
    void deadMarkWrittenByAnotherProcessIsSeen() {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        Lookup l = resolve(s, "a.test");
        assertEquals(0, s.choose(l, new BitSet()));
        redis.sync().sadd("dead:a.test", "0");
        redis.sync().expire("dead:a.test", 30);
        await().atMost(Duration.ofMillis(500)).until(() -> s.choose(l, new BitSet()) == 1);
    }

    @Test
    void aDeadMarkOfAHostAnsweredFromTheIndexIsHonoured() {
        redis.sync().rpush("frontend:*.d.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        redis.sync().sadd("dead:x.d.test", "0");
        redis.sync().expire("dead:x.d.test", 30);
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(s::indexComplete);
        assertEquals(1, s.choose(resolve(s, "x.d.test"), new BitSet()));
        assertEquals(0, s.choose(resolve(s, "y.d.test"), new BitSet()));
        redis.sync().sadd("dead:y.d.test", "0");
        redis.sync().expire("dead:y.d.test", 30);
        await().atMost(Duration.ofMillis(500)).until(() -> s.choose(resolve(s, "y.d.test"), new BitSet()) == 1);
    }
}
