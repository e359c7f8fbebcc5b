package dev.portier.deploy.redis;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A frontend's maintenance and pause modes, as the proxies read them: {@code maintenance:<host>}
 * (fields {@code message}, {@code retryAfter}) and {@code pause:<host>} (field {@code maxHold}).
 * Present means on; the frontend list is never touched, so Hipache and rollbacks are unaffected.
 */
public final class FrontendModes {

    // a hash without fields does not exist in Redis, so {@code since} (epoch millis) is always
    // written; the old fields go in the same script so that no proxy sees a mix
    private static final String REPLACE = """
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV))
            return 1
            """;

    private final Routes routes;

    public FrontendModes(Routes routes) {
        this.routes = routes;
    }

    /** Puts the frontend in maintenance (503 + Retry-After); {@code message} and {@code retryAfter} may be null for the proxy's defaults. */
    public void maintenance(String host, String message, Duration retryAfter) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (message != null) {
            fields.put("message", message);
        }
        if (retryAfter != null) {
            fields.put("retryAfter", String.valueOf(retryAfter.toSeconds()));
        }
        replace(routes.keys().maintenance(host), fields);
    }

    /** Ends maintenance; returns whether it was on. */
    public boolean live(String host) {
        return routes.sync().del(routes.keys().maintenance(host)) > 0;
    }

    /** Holds the frontend's new requests until {@link #resume}; {@code maxHold} null for the proxy's default. */
    public void pause(String host, Duration maxHold) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (maxHold != null) {
            fields.put("maxHold", String.valueOf(maxHold.toSeconds()));
        }
        replace(routes.keys().pause(host), fields);
    }

    /** Releases the held requests; returns whether the frontend was paused. */
    public boolean resume(String host) {
        return routes.sync().del(routes.keys().pause(host)) > 0;
    }

    public Map<String, String> maintenanceOf(String host) {
        return routes.sync().hgetall(routes.keys().maintenance(host));
    }

    public Map<String, String> pauseOf(String host) {
        return routes.sync().hgetall(routes.keys().pause(host));
    }

    private void replace(String key, Map<String, String> fields) {
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.put("since", String.valueOf(System.currentTimeMillis()));
        String[] args = all.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
        routes.sync().eval(REPLACE, ScriptOutputType.INTEGER, new String[] {key}, args);
    }
}
