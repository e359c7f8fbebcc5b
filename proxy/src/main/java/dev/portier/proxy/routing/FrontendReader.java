package dev.portier.proxy.routing;

import dev.portier.common.Frontend;
import dev.portier.common.RoutingKeys;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one frontend key into the table: its list, and its canary, maintenance and pause hashes
 * that may exist (none once the key index knows they do not).
 */
final class FrontendReader {

    private final RoutingKeys keys;
    private final RouteTable table;
    private final ControlReader controls;

    FrontendReader(RoutingKeys keys, RouteTable table, ControlReader controls) {
        this.keys = keys;
        this.table = table;
        this.controls = controls;
    }

    /** Reads the key; the returned stage completes once the table holds what was read. */
    CompletableFuture<Void> read(RedisAsyncCommands<String, String> redis, String key) {
        String redisKey = keys.frontend(key);
        RedisFuture<List<String>> f = redis.lrange(redisKey, 0, -1);
        // stored in the reply's own callback: replies arrive in send order, so a slow earlier read
        // never overwrites what a later one (after a change) found
        CompletableFuture<Void> list = f.thenAccept(l -> table.putFrontend(key, Frontend.fromList(redisKey, l)))
                .toCompletableFuture();
        CompletableFuture<Void> all = list;
        for (ControlFamily family : ControlFamily.values()) {
            if (table.indexes().control(family).mayExist(key)) {
                all = CompletableFuture.allOf(all, controls.read(redis, family, key, -1));
            }
        }
        return all;
    }
}
