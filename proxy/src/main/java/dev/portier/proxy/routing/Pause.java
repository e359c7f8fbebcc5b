package dev.portier.proxy.routing;

import java.time.Duration;
import java.util.Map;

/**
 * A paused frontend, from {@code pause:<host>}: new requests wait until the key is deleted, or
 * are answered 503 after {@code maxHold}.
 *
 * @param maxHold how long a request may wait; null for the proxy's {@code server.pauseMaxHold}
 */
public record Pause(Duration maxHold) {

    /**
     * Reads a HGETALL reply; null when the hash is empty. An unusable maxHold is replaced by the
     * proxy's default (the frontend is still paused: that is what the key asks for).
     */
    static Pause fromHash(Map<String, String> hash, java.util.function.Consumer<String> warn) {
        if (hash == null || hash.isEmpty()) {
            return null;
        }
        String m = hash.get("maxHold");
        if (m == null) {
            return new Pause(null);
        }
        try {
            long seconds = Long.parseLong(m.trim());
            if (seconds > 0) {
                return new Pause(Duration.ofSeconds(seconds));
            }
        } catch (NumberFormatException e) {
            // warned below
        }
        warn.accept("field maxHold is '" + m + "', not a positive number of seconds; using the proxy's default");
        return new Pause(null);
    }
}
