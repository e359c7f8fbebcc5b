package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteSources.resolve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failed backend is marked dead as Hipache marks it. */
class DeadMarkWriterTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @RegisterExtension
    final RouteSources routes = new RouteSources(redis);

    @Test
    void markDeadWritesHipachesMarkAndPublishesIt() throws Exception {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        Lookup l = resolve(s, "a.test");
        try (Subscriber sub = new Subscriber()) {
            s.markDead(l, 0);
            assertEquals(1, s.choose(l, new BitSet()), "the mark applies in memory at once");
            assertEquals("a.test;http://10.0.0.1:1;0;2", sub.messages.poll(5, TimeUnit.SECONDS));
        }
        assertTrue(redis.sync().smembers("dead:a.test").contains("0"));
        long ttl = redis.sync().ttl("dead:a.test");
        assertTrue(ttl > 25 && ttl <= 30, "ttl " + ttl);
    }

    @Test
    void activeHcheckerOwnsDeadMarksSoOnlyAPublishIsMade() throws Exception {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        redis.sync().set("hchecker_ping", String.valueOf(System.currentTimeMillis() / 1000));
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        Lookup l = resolve(s, "a.test");
        try (Subscriber sub = new Subscriber()) {
            s.markDead(l, 1);
            assertEquals("a.test;http://10.0.0.2:2;1;2", sub.messages.poll(5, TimeUnit.SECONDS));
        }
        assertEquals(0L, redis.sync().exists("dead:a.test"));
    }

    @Test
    void aFrontendsOnlyBackendIsNeverMarkedDead() throws Exception {
        redis.sync().rpush("frontend:a.test", "app", "http://10.0.0.1:1");
        RedisRouteSource s = routes.source(true, Duration.ofSeconds(60));
        Lookup l = resolve(s, "a.test");
        try (Subscriber sub = new Subscriber()) {
            s.markDead(l, 0);
            assertEquals(0, s.choose(l, new BitSet()));
            assertNull(sub.messages.poll(300, TimeUnit.MILLISECONDS));
        }
        assertEquals(0L, redis.sync().exists("dead:a.test"));
    }

    /** Listens on Hipache's {@code dead} channel as hipache-hchecker or an operator would. */
    private static final class Subscriber implements AutoCloseable {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final RedisClient client = RedisClient.create(redis.driverUrl());
        private final StatefulRedisPubSubConnection<String, String> conn = client.connectPubSub();

        Subscriber() {
            conn.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(message);
                }
            });
            conn.sync().subscribe("dead");
        }

        @Override
        public void close() {
            conn.close();
            client.shutdown();
        }
    }
}
