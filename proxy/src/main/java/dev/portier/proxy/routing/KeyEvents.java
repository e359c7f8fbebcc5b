package dev.portier.proxy.routing;

import dev.portier.common.RoutingKeys;
import io.lettuce.core.api.async.RedisAsyncCommands;

/**
 * Applies one keyspace event: to the key index of its family, then a re-read of the key where the
 * table may use it, so a change reaches the table within milliseconds.
 */
final class KeyEvents {

    private final RoutingKeys keys;
    private final RouteTable table;
    private final RedisLink read;
    private final FrontendReader frontends;
    private final ControlReader controls;
    private final DeadMarkReader deadMarks;

    KeyEvents(RoutingKeys keys, RouteTable table, RedisLink read, FrontendReader frontends, ControlReader controls,
              DeadMarkReader deadMarks) {
        this.keys = keys;
        this.table = table;
        this.read = read;
        this.frontends = frontends;
        this.controls = controls;
        this.deadMarks = deadMarks;
    }

    /** An event ({@code event}: the notification's message) about a Redis key of ours. */
    void apply(String redisKey, String event) {
        for (ControlFamily family : ControlFamily.values()) {
            String host = family.hostOf(keys, redisKey);
            if (host != null) {
                long seq = table.indexes().control(family).event(host, event);
                RedisAsyncCommands<String, String> redis = read.commands();
                if (redis != null) {
                    // read whether or not the frontend is in use: control keys are few, and changed by hand
                    controls.read(redis, family, host, seq);
                }
                return;
            }
        }
        String key = keys.hostOfFrontendKey(redisKey);
        String host = key == null ? keys.hostOfDeadKey(redisKey) : null;
        long seq = 0;
        if (key != null) {
            seq = table.indexes().frontends.event(key, event);
        } else if (host != null) {
            long deadSeq = table.indexes().dead.event(host, event);
            if (KeyIndex.isRemoval(event)) {
                table.indexes().dead.confirmAbsent(host, deadSeq); // a moment without marks is harmless
            }
        }
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null) {
            return;
        }
        if (key != null) {
            // read even when no one asked for it yet: a route being created is about to be used
            long eventSeen = seq;
            frontends.read(redis, key).thenRun(() -> {
                if (!table.holds(key)) {
                    table.indexes().frontends.confirmAbsent(key, eventSeen);
                }
            });
        } else if (host != null && table.knowsHost(host)) {
            deadMarks.read(redis, host);
        }
    }
}
