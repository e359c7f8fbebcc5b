package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FrontendWriterTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String LOCK = "deploylock:test";
    private static final String OWNER = "me";

    private final RoutingKeys keys = RoutingKeys.unprefixed();
    private FrontendWriter writer;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        REDIS.sync().set(LOCK, OWNER);
        writer = new FrontendWriter(REDIS.sync(), keys);
    }

    private static FrontendWriter.Promotion promote(FrontendWriter w, String host, BackendUrl backend) {
        return w.promoteHolding(host, backend, LOCK, OWNER);
    }

    @Test
    void promotionCreatesAbsentListWithDefaultIdentifier() {
        FrontendWriter.Promotion p = promote(writer, "*", BackendUrl.parse("http://10.0.0.2:8080"));
        assertEquals(List.of(), p.previous());
        assertEquals(List.of("default", "http://10.0.0.2:8080"), REDIS.sync().lrange("frontend:*", 0, -1));
    }

    @Test
    void promotionKeepsIdentifierReplacesEveryBackendAndClearsDeadMarks() {
        REDIS.sync().rpush("frontend:www.example.com", "mysite", "http://10.0.0.1:80", "http://10.0.0.9:80", "http://10.0.0.7:80");
        REDIS.sync().sadd("dead:www.example.com", "0", "2");
        REDIS.sync().expire("dead:www.example.com", 30);

        FrontendWriter.Promotion p = promote(writer, "www.example.com", BackendUrl.parse("http://10.0.0.2:8080"));

        assertEquals(List.of("mysite", "http://10.0.0.1:80", "http://10.0.0.9:80", "http://10.0.0.7:80"), p.previous());
        assertEquals(List.of("mysite", "http://10.0.0.2:8080"), REDIS.sync().lrange("frontend:www.example.com", 0, -1));
        assertEquals(0L, REDIS.sync().exists("dead:www.example.com"));
    }

    @Test
    void aHandMadeListWithoutIdentifierGetsTheDefaultOneAndSaysSo() {
        REDIS.sync().rpush("frontend:h.test", "http://10.0.0.1:80", "http://10.0.0.9:80");

        FrontendWriter.Promotion p = promote(writer, "h.test", BackendUrl.parse("http://10.0.0.2:8080"));

        assertTrue(p.identifierWasMissing());
        assertEquals(List.of("default", "http://10.0.0.2:8080"), p.current());
        assertEquals(List.of("default", "http://10.0.0.2:8080"), REDIS.sync().lrange("frontend:h.test", 0, -1));
    }

    @Test
    void promotionRecordsWhenTheContainerWentLiveInTheSameStep() {
        REDIS.sync().set("deploylock:a.test", "me");
        REDIS.sync().hset("live:a.test", "old", "1000");

        writer.promoteHolding("a.test", BackendUrl.parse("http://10.0.0.2:80"), "deploylock:a.test", "me", "c2", 2000L);
        assertEquals(java.util.Map.of("old", "1000", "c2", "2000"), REDIS.sync().hgetall("live:a.test"));

        REDIS.sync().set("deploylock:a.test", "someone else");
        assertThrows(RedisCommandExecutionException.class, () -> writer.promoteHolding("a.test",
                BackendUrl.parse("http://10.0.0.3:80"), "deploylock:a.test", "me", "c3", 3000L));
        assertFalse(REDIS.sync().hexists("live:a.test", "c3"), "no record without the promotion");
    }

    @Test
    void promotionEndsTheCanaryInTheSameStep() {
        REDIS.sync().set("deploylock:a.test", "me");
        REDIS.sync().rpush("frontend:a.test", "site", "http://10.0.0.1:80");
        REDIS.sync().hset("canary:a.test", java.util.Map.of("backend", "http://10.0.0.2:80", "percent", "10"));

        writer.promoteHolding("a.test", BackendUrl.parse("http://10.0.0.2:80"), "deploylock:a.test", "me", "c2", 2000L);
        assertEquals(List.of("site", "http://10.0.0.2:80"), REDIS.sync().lrange("frontend:a.test", 0, -1));
        assertEquals(0L, REDIS.sync().exists("canary:a.test"));

        REDIS.sync().hset("canary:a.test", java.util.Map.of("backend", "http://10.0.0.3:80", "percent", "10"));
        REDIS.sync().set("deploylock:a.test", "someone else");
        assertThrows(RedisCommandExecutionException.class, () -> writer.promoteHolding("a.test",
                BackendUrl.parse("http://10.0.0.3:80"), "deploylock:a.test", "me", "c3", 3000L));
        assertEquals(1L, REDIS.sync().exists("canary:a.test"), "a refused promotion leaves the canary");
    }

    @Test
    void promotionHonoursTheDriverPrefix() {
        FrontendWriter prefixed = new FrontendWriter(REDIS.sync(), new RoutingKeys("env1:"));
        REDIS.sync().sadd("env1:dead:a.test", "0");
        promote(prefixed, "a.test", BackendUrl.parse("http://10.0.0.3:80"));
        assertEquals(List.of("default", "http://10.0.0.3:80"), REDIS.sync().lrange("env1:frontend:a.test", 0, -1));
        assertEquals(0L, REDIS.sync().exists("env1:dead:a.test", "frontend:a.test"));
    }

    @Test
    void promotionWithALostLockWritesNothing() {
        REDIS.sync().rpush("frontend:a.test", "id", "http://10.0.0.1:80");
        REDIS.sync().sadd("dead:a.test", "0");
        REDIS.sync().set("deploylock:a.test", "someone else");

        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> writer.promoteHolding("a.test", BackendUrl.parse("http://10.0.0.2:80"), "deploylock:a.test", "me"));

        assertTrue(e.getMessage().contains(FrontendWriter.LOCK_LOST), e.getMessage());
        assertEquals(List.of("id", "http://10.0.0.1:80"), REDIS.sync().lrange("frontend:a.test", 0, -1));
        assertEquals(Set.of("0"), REDIS.sync().smembers("dead:a.test"));
    }

    @Test
    void restorePutsThePreviousListBackOnlyWhenNobodyChangedIt() {
        REDIS.sync().rpush("frontend:a.test", "id", "http://10.0.0.1:80");
        FrontendWriter.Promotion p = promote(writer, "a.test", BackendUrl.parse("http://10.0.0.2:80"));
        assertTrue(writer.restore(p));
        assertEquals(List.of("id", "http://10.0.0.1:80"), REDIS.sync().lrange("frontend:a.test", 0, -1));

        FrontendWriter.Promotion again = promote(writer, "a.test", BackendUrl.parse("http://10.0.0.2:80"));
        promote(writer, "a.test", BackendUrl.parse("http://10.0.0.3:80"));
        assertFalse(writer.restore(again));
        assertEquals(List.of("id", "http://10.0.0.3:80"), REDIS.sync().lrange("frontend:a.test", 0, -1));
    }

    @Test
    void restoreOfACreatedListDeletesIt() {
        FrontendWriter.Promotion p = promote(writer, "new.test", BackendUrl.parse("http://10.0.0.2:80"));
        assertTrue(writer.restore(p));
        assertEquals(0L, REDIS.sync().exists("frontend:new.test"));
    }

    @Test
    void registerIfAbsentCreatesOnceAndNeverTouchesAnExistingList() {
        assertTrue(writer.registerIfAbsent("*", "default"));
        assertFalse(writer.registerIfAbsent("*", "default"));
        assertEquals(List.of("default"), REDIS.sync().lrange("frontend:*", 0, -1));
        promote(writer, "*", BackendUrl.parse("http://10.0.0.2:80"));
        assertFalse(writer.registerIfAbsent("*", "default"));
        assertEquals(List.of("default", "http://10.0.0.2:80"), REDIS.sync().lrange("frontend:*", 0, -1));
    }

    /**
     * The old script's three writes (RPUSH, LSET, LTRIM) let a reader see three backends or a
     * stale mark; readers on another connection must only ever see [id, one backend] with no marks
     * for it, whatever they interleave with.
     */
    @Test
    void concurrentReadersNeverSeeAHalfWrittenPromotion() throws Exception {
        REDIS.sync().rpush("frontend:busy.test", "id", "http://10.0.0.0:80");
        RedisClient client = RedisClient.create(RedisURI.create(REDIS.driverUrl()));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<String> anomalies = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                RedisCommands<String, String> r = c.sync();
                while (!stop.get()) {
                    r.multi();
                    r.lrange("frontend:busy.test", 0, -1);
                    r.smembers("dead:busy.test");
                    var result = r.exec();
                    List<String> list = result.get(0);
                    Set<String> dead = result.get(1);
                    reads.incrementAndGet();
                    if (list.size() != 2 || !list.get(0).equals("id") || !dead.isEmpty()) {
                        synchronized (anomalies) {
                            anomalies.add(list + " dead=" + dead);
                        }
                    }
                }
            }
        });
        reader.start();
        try {
            for (int i = 1; i <= 2000; i++) {
                promote(writer, "busy.test", BackendUrl.of("10.0.0." + (i % 250), 80));
            }
        } finally {
            stop.set(true);
            reader.join();
            client.shutdown();
        }
        assertTrue(reads.get() > 50, "reader ran " + reads.get() + " times");
        assertEquals(List.of(), anomalies);
    }
}
