package dev.portier.proxy.routing;

import dev.portier.common.RoutingKeys;
import java.util.Map;
import java.util.function.Consumer;

/** The hashes beside a frontend list ({@code canary:}, {@code maintenance:}, {@code pause:}): their names and how each is read. */
enum ControlFamily {
    CANARY, MAINTENANCE, PAUSE;

    String key(RoutingKeys keys, String host) {
        return switch (this) {
            case CANARY -> keys.canary(host);
            case MAINTENANCE -> keys.maintenance(host);
            case PAUSE -> keys.pause(host);
        };
    }

    String pattern(RoutingKeys keys) {
        return switch (this) {
            case CANARY -> keys.canaryPattern();
            case MAINTENANCE -> keys.maintenancePattern();
            case PAUSE -> keys.pausePattern();
        };
    }

    /** The frontend key a Redis key of this family is about, or null when it is not of this family. */
    String hostOf(RoutingKeys keys, String redisKey) {
        return switch (this) {
            case CANARY -> keys.hostOfCanaryKey(redisKey);
            case MAINTENANCE -> keys.hostOfMaintenanceKey(redisKey);
            case PAUSE -> keys.hostOfPauseKey(redisKey);
        };
    }

    /**
     * What a HGETALL reply means; null when empty.
     *
     * @throws IllegalArgumentException when the hash cannot be used at all (it is then ignored)
     */
    Object parse(String host, Map<String, String> hash, Consumer<String> warn) {
        return switch (this) {
            case CANARY -> Canary.fromHash(host, hash);
            case MAINTENANCE -> Maintenance.fromHash(hash, warn);
            case PAUSE -> Pause.fromHash(hash, warn);
        };
    }
}
