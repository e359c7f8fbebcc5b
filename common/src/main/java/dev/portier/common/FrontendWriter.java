package dev.portier.common;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rewrites {@code frontend:<host>} lists the only safe way: the list and its {@code dead:<host>}
 * marks change together in one Lua script, because dead marks name positions and a list rewritten
 * under old marks would blame the wrong backend.
 */
public final class FrontendWriter {

    /** Identifier written when a promotion creates a list, as the old script's {@code LPUSH frontend:* default} did. */
    public static final String DEFAULT_IDENTIFIER = "default";

    /** Error prefix the promotion script answers when the caller's deploy lock is gone. */
    public static final String LOCK_LOST = "LOCKLOST";

    // KEYS: frontend, dead, lock[, live record[, canary]]  ARGV: backend, default identifier, lock owner[, container, millis]
    private static final String PROMOTE = """
            if redis.call('GET', KEYS[3]) ~= ARGV[3] then
              return redis.error_reply('LOCKLOST deploy lock ' .. KEYS[3] .. ' is no longer held by ' .. ARGV[3])
            end
            local previous = redis.call('LRANGE', KEYS[1], 0, -1)
            local identifier = previous[1] or ARGV[2]
            if string.find(identifier, '^https?://') then
              identifier = ARGV[2]
            end
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('RPUSH', KEYS[1], identifier, ARGV[1])
            if #KEYS > 3 then
              redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
            end
            if #KEYS > 4 then
              redis.call('DEL', KEYS[5])
            end
            return previous
            """;

    // KEYS: frontend, dead, lock, live record  ARGV: owner, default identifier, millis, n, n backends, then the containers
    private static final String PROMOTE_ALL = """
            if redis.call('GET', KEYS[3]) ~= ARGV[1] then
              return redis.error_reply('LOCKLOST deploy lock ' .. KEYS[3] .. ' is no longer held by ' .. ARGV[1])
            end
            local previous = redis.call('LRANGE', KEYS[1], 0, -1)
            local identifier = previous[1] or ARGV[2]
            if string.find(identifier, '^https?://') then
              identifier = ARGV[2]
            end
            local n = tonumber(ARGV[4])
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('RPUSH', KEYS[1], identifier, unpack(ARGV, 5, 4 + n))
            for i = 5 + n, #ARGV do
              redis.call('HSET', KEYS[4], ARGV[i], ARGV[3])
            end
            return previous
            """;

    // KEYS: frontend, dead  ARGV: n, n expected elements, then the elements to restore
    private static final String RESTORE = """
            local n = tonumber(ARGV[1])
            local current = redis.call('LRANGE', KEYS[1], 0, -1)
            if #current ~= n then return 0 end
            for i = 1, n do
              if current[i] ~= ARGV[i + 1] then return 0 end
            end
            redis.call('DEL', KEYS[1], KEYS[2])
            if #ARGV > n + 1 then
              redis.call('RPUSH', KEYS[1], unpack(ARGV, n + 2))
            end
            return 1
            """;

    private static final String REGISTER = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('RPUSH', KEYS[1], ARGV[1])
            return 1
            """;

    private final RedisCommands<String, String> redis;
    private final RoutingKeys keys;

    public FrontendWriter(RedisCommands<String, String> redis, RoutingKeys keys) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** What a promotion replaced and what it wrote. */
    public record Promotion(String host, List<String> previous, List<String> current) {

        /** Whether the replaced list began with a backend URL, not an identifier (made by hand); the promotion wrote {@code default}. */
        public boolean identifierWasMissing() {
            return lacksIdentifier(previous);
        }
    }

    /** A hand-made list whose first entry is a backend URL: Hipache would take that URL for the identifier. */
    static boolean lacksIdentifier(List<String> list) {
        return !list.isEmpty() && (list.get(0).startsWith("http://") || list.get(0).startsWith("https://"));
    }

    /**
     * Makes {@code backend} the only backend of {@code host} while {@code lockKey} still holds
     * {@code owner}: the list becomes {@code [identifier, backend]} (identifier kept; {@code default}
     * when the list was absent or began with a backend URL) and {@code dead:<host>} is deleted,
     * atomically. When the lock is gone nothing is written and a RedisCommandExecutionException
     * starting with {@link #LOCK_LOST} is thrown.
     */
    public Promotion promoteHolding(String host, BackendUrl backend, String lockKey, String owner) {
        return eval(host, backend, new String[] {keys.frontend(host), keys.dead(host), Objects.requireNonNull(lockKey)},
                new String[] {backend.raw(), DEFAULT_IDENTIFIER, Objects.requireNonNull(owner)});
    }

    /**
     * Like {@link #promoteHolding(String, BackendUrl, String, String)}, and in the same step records
     * in {@link RoutingKeys#live(String)} that {@code container} became live at {@code epochMillis},
     * so the record can never disagree with the list. Any canary of the host ends in the same
     * step: the promoted backend takes every request, and no request ever sees neither it nor a canary.
     */
    public Promotion promoteHolding(String host, BackendUrl backend, String lockKey, String owner, String container,
                                    long epochMillis) {
        return eval(host, backend,
                new String[] {keys.frontend(host), keys.dead(host), Objects.requireNonNull(lockKey), keys.live(host), keys.canary(host)},
                new String[] {backend.raw(), DEFAULT_IDENTIFIER, Objects.requireNonNull(owner), Objects.requireNonNull(container),
                        String.valueOf(epochMillis)});
    }

    /**
     * The fleet's promotion: makes {@code backends} (one per host, in order) the backends of
     * {@code host} in one step while {@code lockKey} still holds {@code owner}: the list becomes
     * {@code [identifier, backends...]}, {@code dead:<host>} is deleted and every container in
     * {@code containers} (those newly live; any number) is recorded live at {@code epochMillis}. Either all of it is written or,
     * when the lock is gone, nothing (a RedisCommandExecutionException starting with {@link #LOCK_LOST}).
     */
    public Promotion promoteAllHolding(String host, List<BackendUrl> backends, String lockKey, String owner,
                                       List<String> containers, long epochMillis) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("no backend to promote");
        }
        List<String> args = new ArrayList<>(List.of(Objects.requireNonNull(owner), DEFAULT_IDENTIFIER, String.valueOf(epochMillis),
                String.valueOf(backends.size())));
        backends.forEach(b -> args.add(b.raw()));
        args.addAll(containers);
        List<Object> previous = redis.eval(PROMOTE_ALL, ScriptOutputType.MULTI,
                new String[] {keys.frontend(host), keys.dead(host), Objects.requireNonNull(lockKey), keys.live(host)},
                args.toArray(new String[0]));
        List<String> before = new ArrayList<>(previous.size());
        for (Object o : previous) {
            before.add(String.valueOf(o));
        }
        List<String> now = new ArrayList<>();
        now.add(before.isEmpty() || lacksIdentifier(before) ? DEFAULT_IDENTIFIER : before.get(0));
        backends.forEach(b -> now.add(b.raw()));
        return new Promotion(host, List.copyOf(before), List.copyOf(now));
    }

    private Promotion eval(String host, BackendUrl backend, String[] scriptKeys, String[] args) {
        List<Object> previous = redis.eval(PROMOTE, ScriptOutputType.MULTI, scriptKeys, args);
        List<String> before = new ArrayList<>(previous.size());
        for (Object o : previous) {
            before.add(String.valueOf(o));
        }
        String identifier = before.isEmpty() || lacksIdentifier(before) ? DEFAULT_IDENTIFIER : before.get(0);
        return new Promotion(host, List.copyOf(before), List.of(identifier, backend.raw()));
    }

    /**
     * Puts {@code promotion.previous()} back (deleting the list when it was absent) and clears the
     * dead marks, but only if the list is still exactly what the promotion wrote, so a later
     * promotion or a hand edit is never undone. Returns whether it restored.
     */
    public boolean restore(Promotion promotion) {
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(promotion.current().size()));
        args.addAll(promotion.current());
        args.addAll(promotion.previous());
        Long restored = redis.eval(RESTORE, ScriptOutputType.INTEGER,
                new String[] {keys.frontend(promotion.host()), keys.dead(promotion.host())},
                args.toArray(new String[0]));
        return restored != null && restored == 1L;
    }

    /** Creates {@code frontend:<host>} holding only the identifier when it does not exist; returns whether it did. */
    public boolean registerIfAbsent(String host, String identifier) {
        Long created = redis.eval(REGISTER, ScriptOutputType.INTEGER,
                new String[] {keys.frontend(host)}, identifier);
        return created != null && created == 1L;
    }
}
