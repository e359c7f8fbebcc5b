package dev.portier.proxy.routing;

import dev.portier.common.RoutingKeys;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Reads one host's {@code dead:<host>} set and its expiry into the table. */
final class DeadMarkReader {

    // members and TTL in one reply, so replies keep the order the reads were sent in
    private static final String READ_DEAD = "return {redis.call('SMEMBERS', KEYS[1]), redis.call('PTTL', KEYS[1])}";

    private final RoutingKeys keys;
    private final DeadMarkTable table;

    DeadMarkReader(RoutingKeys keys, DeadMarkTable table) {
        this.keys = keys;
        this.table = table;
    }

    /** Reads one host's dead marks; the returned stage completes once the table holds them. */
    CompletableFuture<Void> read(RedisAsyncCommands<String, String> redis, String host) {
        RedisFuture<List<Object>> f = redis.eval(READ_DEAD, ScriptOutputType.MULTI, keys.dead(host));
        return f.thenAccept(reply -> {
            BitSet positions = new BitSet();
            if (reply.get(0) instanceof List<?> members) {
                for (Object m : members) {
                    try {
                        int p = Integer.parseInt(String.valueOf(m).trim());
                        if (p >= 0) {
                            positions.set(p);
                        }
                    } catch (NumberFormatException ignored) {
                        // not a position: Hipache would not match it either
                    }
                }
            }
            long pttl = reply.get(1) instanceof Long l ? l : -2;
            long now = System.nanoTime();
            table.put(host, positions, pttl == -1 ? DeadMarks.NEVER : now + Math.max(0, pttl) * 1_000_000L);
        }).toCompletableFuture();
    }
}
