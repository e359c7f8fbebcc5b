package dev.portier.proxy.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Canary, maintenance and pause by frontend key, and the canary backends skipped after a failure.
 * Only keys that have one are held (usually none, so a lookup is cheap); reads are lock-free.
 */
final class ControlTable {

    private final int maxDeadCanaries;
    private final KeyIndexes indexes;
    private final Map<String, FrontendControls> controls = new ConcurrentHashMap<>();
    /** Canary backends that failed, by URL, and until when they are skipped (they have no list position to mark). */
    private final Map<String, Long> deadCanaries = new ConcurrentHashMap<>();

    ControlTable(int maxDeadCanaries, KeyIndexes indexes) {
        this.maxDeadCanaries = maxDeadCanaries;
        this.indexes = indexes;
    }

    /** The canary, maintenance and pause of a frontend key, or null when it has none. */
    FrontendControls get(String frontendKey) {
        return frontendKey == null ? null : controls.get(frontendKey);
    }

    /**
     * Stores one part of a frontend's controls as read (call in Redis reply order).
     *
     * @return the controls before, or {@link FrontendControls#NONE}
     */
    FrontendControls put(String frontendKey, ControlFamily family, Object value) {
        FrontendControls[] before = {FrontendControls.NONE};
        controls.compute(frontendKey, (k, old) -> {
            if (old != null) {
                before[0] = old;
            }
            FrontendControls now = (old == null ? FrontendControls.NONE : old).with(family, value);
            return now.isEmpty() ? null : now;
        });
        if (value != null) {
            indexes.control(family).sawPresent(frontendKey);
        }
        return before[0];
    }

    /** Every frontend key with controls, and them. */
    Map<String, FrontendControls> all() {
        return controls;
    }

    /** Whether a canary backend failed lately (then its share goes to the list). */
    boolean canaryDead(String backendRaw, long nowNanos) {
        Long until = deadCanaries.get(backendRaw);
        if (until == null) {
            return false;
        }
        if (nowNanos - until < 0) {
            return true;
        }
        deadCanaries.remove(backendRaw, until);
        return false;
    }

    /** Skips a canary backend until {@code untilNanos}; false when it was already skipped. */
    boolean markCanaryDead(String backendRaw, long untilNanos, long nowNanos) {
        if (canaryDead(backendRaw, nowNanos)) {
            return false;
        }
        if (deadCanaries.size() >= maxDeadCanaries) {
            deadCanaries.clear();
        }
        deadCanaries.put(backendRaw, untilNanos);
        return true;
    }

    /** Adds host:port of every canary backend. */
    void addCanaryAuthorities(Set<String> out) {
        for (FrontendControls c : controls.values()) {
            if (c.canary() != null) {
                out.add(c.canary().backend().authority());
            }
        }
    }

    /** Canaries, maintenance and pauses by frontend key, as plain maps for JSON. */
    Map<String, Object> snapshot(long nowNanos) {
        Map<String, Object> canaries = new TreeMap<>();
        Map<String, Object> maintenance = new TreeMap<>();
        Map<String, Object> paused = new TreeMap<>();
        controls.forEach((key, c) -> {
            if (c.canary() != null) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("backend", c.canary().backend().raw());
                one.put("percent", c.canary().percent());
                one.put("dead", canaryDead(c.canary().backend().raw(), nowNanos));
                canaries.put(key, one);
            }
            if (c.maintenance() != null) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("message", c.maintenance().message());
                one.put("retryAfter", c.maintenance().retryAfter());
                maintenance.put(key, one);
            }
            if (c.pause() != null) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("maxHoldSeconds", c.pause().maxHold() == null ? null : c.pause().maxHold().toSeconds());
                paused.put(key, one);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("canaries", canaries);
        out.put("maintenance", maintenance);
        out.put("paused", paused);
        return out;
    }
}
