package dev.portier.common;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServer;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.common.testing.SentinelGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReplicationTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @Test
    void aSingleRedisHasNothingToWaitFor() {
        Replication.Ack ack = Replication.await(redis.sync(), Duration.ofSeconds(30));
        assertEquals(new Replication.Ack(0, 0), ack);
        assertFalse(ack.unconfirmed());
    }

    @Test
    void aReplicaConfirmsAndAStoppedOneDoesNot() {
        try (RedisServer replica = RedisServer.withArgs("--replicaof", "127.0.0.1", String.valueOf(redis.port())).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> SentinelGroup.info(replica, "replication").contains("master_link_status:up"));
            redis.sync().set("k", "v");
            Replication.Ack ack = Replication.await(redis.sync(), Duration.ofSeconds(5));
            assertEquals(new Replication.Ack(1, 1), ack);
            replica.freeze();
            try {
                redis.sync().set("k", "w");
                assertTrue(Replication.await(redis.sync(), Duration.ofMillis(300)).unconfirmed());
            } finally {
                replica.thaw();
            }
        }
    }

    @Test
    void theLocksOwnValueFoundAfterARetriedSetIsOurs() throws Exception {
        redis.flushAll();
        RoutingKeys keys = new RoutingKeys("");
        // what a SET NX re-sent by Lettuce after a reconnect finds: the value the first one wrote
        redis.sync().set(DeployLock.key(keys, "a.test"), "me [1]");
        try (DeployLock lock = DeployLock.acquire(redis.sync(), keys, "a.test", "me [1]", Duration.ofSeconds(30))) {
            assertTrue(lock.isHeld());
        }
        assertEquals(0L, redis.sync().exists(DeployLock.key(keys, "a.test")));
    }
}
