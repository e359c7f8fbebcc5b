package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import dev.portier.common.RoutingKeys;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Reads a frontend's canary, maintenance and pause hashes into the table, and tells the listeners
 * each time a frontend's controls change.
 */
final class ControlReader {

    private final RoutingKeys keys;
    private final RouteTable table;
    private final List<BiConsumer<String, FrontendControls>> listeners = new CopyOnWriteArrayList<>();
    /** The last warning per bad control key, so a hash read every second does not flood the log. */
    private final Map<String, String> warnings = new ConcurrentHashMap<>();

    ControlReader(RoutingKeys keys, RouteTable table) {
        this.keys = keys;
        this.table = table;
    }

    /** Calls {@code listener} (on a routing thread) with a frontend key and its controls (null: none) on each change. */
    void onChange(BiConsumer<String, FrontendControls> listener) {
        listeners.add(listener);
    }

    /**
     * Reads one canary/maintenance/pause hash into the table and tells the listeners when the
     * frontend's controls changed.
     *
     * @param eventSeen the key's event count when an event asked for the read (an empty reply then
     *                  confirms the key gone), or -1
     */
    CompletableFuture<Void> read(RedisAsyncCommands<String, String> redis, ControlFamily family, String key,
                                 long eventSeen) {
        String redisKey = family.key(keys, key);
        return redis.hgetall(redisKey).thenAccept(hash -> {
            Object value;
            try {
                value = family.parse(key, hash, problem -> warn(redisKey, problem));
            } catch (IllegalArgumentException e) {
                warn(redisKey, e.getMessage() + "; ignored");
                value = null;
            }
            if (hash.isEmpty()) {
                warnings.remove(redisKey);
                if (eventSeen >= 0) {
                    table.indexes().control(family).confirmAbsent(key, eventSeen);
                }
            }
            FrontendControls before = table.putControl(key, family, value);
            FrontendControls now = table.controls().get(key);
            if (!before.equals(now == null ? FrontendControls.NONE : now)) {
                LOG.info("{}: {}", redisKey, value == null ? "none" : value);
                for (var l : listeners) {
                    try {
                        l.accept(key, now);
                    } catch (RuntimeException e) {
                        LOG.warn("control listener failed", e);
                    }
                }
            }
        }).toCompletableFuture();
    }

    private void warn(String redisKey, String problem) {
        if (!problem.equals(warnings.put(redisKey, problem))) {
            LOG.warn("{}: {}", redisKey, problem);
        }
    }
}
