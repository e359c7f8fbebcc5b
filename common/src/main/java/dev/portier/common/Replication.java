package dev.portier.common;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/**
 * Waits for the master's replicas to confirm the writes made so far on a connection ({@code WAIT}).
 * Redis (and so Sentinel) replicates asynchronously: a write the master acknowledged but no replica
 * received is lost when that master fails and a replica is promoted. A write one replica confirmed
 * survives a failover to that replica, and Sentinel promotes the replica that has the most data.
 */
public final class Replication {

    private Replication() {
    }

    /** What {@code WAIT} found: replicas connected to the master, and how many confirmed. */
    public record Ack(int replicas, long confirmed) {

        /** True when replicas exist and none confirmed: a failover now could lose the write. */
        public boolean unconfirmed() {
            return replicas > 0 && confirmed == 0;
        }
    }

    /**
     * Asks the master how many replicas it has and waits up to {@code timeout} until all of them
     * confirm the connection's writes (returns as soon as they do). No replicas (a single Redis):
     * answers at once, without a WAIT.
     */
    public static Ack await(RedisCommands<String, String> redis, Duration timeout) {
        int replicas = connectedReplicas(redis.info("replication"));
        if (replicas == 0) {
            return new Ack(0, 0);
        }
        Long confirmed = redis.waitForReplication(replicas, Math.max(1, timeout.toMillis()));
        return new Ack(replicas, confirmed == null ? 0 : confirmed);
    }

    static int connectedReplicas(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("connected_slaves:")) {
                return Integer.parseInt(line.substring("connected_slaves:".length()).trim());
            }
        }
        return 0;
    }
}
