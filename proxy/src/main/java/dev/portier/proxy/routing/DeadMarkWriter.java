package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.common.RoutingKeys;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Marks a failed backend dead as Hipache does: in the table at once, then in Redis (SADD + EXPIRE
 * {@code dead:<host>} unless an active hipache-hchecker owns those sets, PUBLISH always).
 */
final class DeadMarkWriter {

    /** hipache-hchecker refreshes its ping more often than this while it runs. */
    static final int HCHECKER_FRESH_SECONDS = 30;

    // Hipache's marking: SADD + EXPIRE unless an active hipache-hchecker owns dead:, PUBLISH always
    // (key and channel names come from RoutingKeys: KEYS[1] dead:<host>, KEYS[2] the hchecker ping, ARGV[5] the channel)
    private static final String MARK_DEAD = """
            local ping = tonumber(redis.call('GET', KEYS[2]) or '')
            local now = tonumber(redis.call('TIME')[1])
            if not ping or now - ping >= tonumber(ARGV[4]) then
              redis.call('SADD', KEYS[1], ARGV[1])
              redis.call('EXPIRE', KEYS[1], ARGV[2])
            end
            redis.call('PUBLISH', ARGV[5], ARGV[3])
            return 1
            """;

    private final RoutingKeys keys;
    private final DeadMarkTable table;
    private final RedisLink write;
    private final Duration deadTtl;
    private final AtomicLong lastWriteWarning = new AtomicLong();

    DeadMarkWriter(RoutingKeys keys, DeadMarkTable table, RedisLink write, Duration deadTtl) {
        this.keys = keys;
        this.table = table;
        this.write = write;
        this.deadTtl = deadTtl;
    }

    /** Marks the backend at {@code position} of a FOUND lookup dead, unless it is the frontend's only one. */
    void mark(Lookup lookup, int position) {
        Frontend f = lookup.frontend();
        if (f == null || f.size() <= 1) {
            // Hipache's rule: marking the only backend would turn one failure into 30 s of 502s
            return;
        }
        long now = System.nanoTime();
        if (!table.mark(lookup.host(), position, now + deadTtl.toNanos(), now)) {
            return;
        }
        BackendUrl backend = f.backend(position);
        LOG.warn("backend {} of {} marked dead for {} s", backend == null ? f.rawBackends().get(position) : backend,
                lookup.host(), deadTtl.toSeconds());
        RedisAsyncCommands<String, String> redis = write.commands();
        if (redis == null || !write.isUp()) {
            return;
        }
        String message = lookup.host() + ";" + f.rawBackends().get(position) + ";" + position + ";" + f.size();
        redis.<Long>eval(MARK_DEAD, ScriptOutputType.INTEGER,
                        new String[] {keys.dead(lookup.host()), RoutingKeys.HCHECKER_PING},
                        String.valueOf(position), String.valueOf(Math.max(1, deadTtl.toSeconds())), message,
                        String.valueOf(HCHECKER_FRESH_SECONDS), RoutingKeys.DEAD_CHANNEL)
                .whenComplete((r, err) -> {
                    if (err != null) {
                        warnRateLimited("cannot write dead mark for " + lookup.host() + ": " + err.getMessage());
                    }
                });
    }

    private void warnRateLimited(String message) {
        long now = System.currentTimeMillis();
        long last = lastWriteWarning.get();
        if (now - last > 10_000 && lastWriteWarning.compareAndSet(last, now)) {
            LOG.warn("{}", message);
        }
    }
}
