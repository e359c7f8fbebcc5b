package dev.portier.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.RedisDriverUrl;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SentinelGroupTest {

    @Test
    void aKilledMasterIsReplacedAndTheDriverUrlFindsTheNewOne() {
        try (SentinelGroup group = new SentinelGroup().start()) {
            RedisServer first = group.master();
            assertEquals("+OK", first.command("SET", "k", "v"));
            RedisClient client = RedisClient.create(RedisDriverUrl.parse(group.driverUrl()).toRedisUri(Duration.ofSeconds(2)));
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                assertEquals("v", c.sync().get("k"));
            }
            long start = System.nanoTime();
            RedisServer killed = group.killMaster();
            RedisServer next = group.awaitNewMaster(killed, Duration.ofSeconds(30));
            System.out.printf("failover took %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertNotEquals(first.port(), next.port());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                assertEquals("v", c.sync().get("k"), "the replica had the write");
                assertTrue(c.sync().info("replication").contains("role:master"));
            } finally {
                client.shutdown();
            }
        }
    }
}
