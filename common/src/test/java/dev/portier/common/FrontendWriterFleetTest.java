package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import io.lettuce.core.RedisCommandExecutionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fleet's promotion: several backends, their dead marks and live records in one step, or nothing. */
class FrontendWriterFleetTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String LOCK = "deploylock:a.test";
    private static final List<BackendUrl> FLEET = List.of(BackendUrl.parse("http://10.0.0.1:32001"),
            BackendUrl.parse("http://10.0.0.2:32002"), BackendUrl.parse("http://10.0.0.3:32003"));

    private FrontendWriter writer;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        REDIS.sync().set(LOCK, "me");
        writer = new FrontendWriter(REDIS.sync(), RoutingKeys.unprefixed());
    }

    @Test
    void everyHostsBackendBecomesLiveTogetherWithItsRecordAndTheDeadMarksGo() {
        REDIS.sync().rpush("frontend:a.test", "site", "http://10.0.0.1:31000", "http://10.0.0.2:31000");
        REDIS.sync().sadd("dead:a.test", "1");

        FrontendWriter.Promotion p = writer.promoteAllHolding("a.test", FLEET, LOCK, "me", List.of("c1", "c2", "c3"), 1234L);

        List<String> expected = List.of("site", "http://10.0.0.1:32001", "http://10.0.0.2:32002", "http://10.0.0.3:32003");
        assertEquals(expected, REDIS.sync().lrange("frontend:a.test", 0, -1));
        assertEquals(expected, p.current());
        assertEquals(List.of("site", "http://10.0.0.1:31000", "http://10.0.0.2:31000"), p.previous());
        assertEquals(0L, REDIS.sync().exists("dead:a.test"));
        assertEquals(Map.of("c1", "1234", "c2", "1234", "c3", "1234"), REDIS.sync().hgetall("live:a.test"));
        assertTrue(writer.restore(p));
        assertEquals(p.previous(), REDIS.sync().lrange("frontend:a.test", 0, -1));
    }

    @Test
    void aLostLockWritesNoneOfIt() {
        REDIS.sync().rpush("frontend:a.test", "site", "http://10.0.0.1:31000");
        REDIS.sync().sadd("dead:a.test", "0");
        REDIS.sync().set(LOCK, "someone else");

        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> writer.promoteAllHolding("a.test", FLEET, LOCK, "me", List.of("c1", "c2", "c3"), 1L));

        assertTrue(e.getMessage().startsWith(FrontendWriter.LOCK_LOST), e.getMessage());
        assertEquals(List.of("site", "http://10.0.0.1:31000"), REDIS.sync().lrange("frontend:a.test", 0, -1));
        assertEquals(Set.of("0"), REDIS.sync().smembers("dead:a.test"));
        assertEquals(0L, REDIS.sync().exists("live:a.test"));
    }

    @Test
    void anAbsentListIsCreatedWithTheDefaultIdentifier() {
        FrontendWriter.Promotion p = writer.promoteAllHolding("a.test", FLEET.subList(0, 1), LOCK, "me", List.of("c1"), 1L);
        assertEquals(List.of(), p.previous());
        assertEquals(List.of("default", "http://10.0.0.1:32001"), REDIS.sync().lrange("frontend:a.test", 0, -1));
    }
}
