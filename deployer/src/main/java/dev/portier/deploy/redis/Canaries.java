package dev.portier.deploy.redis;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import java.util.Map;
import java.util.Optional;

/**
 * Writes and removes a frontend's {@code canary:<host>} hash (fields {@code backend} and
 * {@code percent}) the way the proxies read it. Both checks happen inside Redis: a canary is put
 * only while the deploy lock is held, and removed only when it still names our backend, so a
 * canary someone set meanwhile is never taken away.
 */
public final class Canaries {

    // KEYS: lock, canary  ARGV: owner, backend, percent
    private static final String PUT = """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then
              return redis.error_reply('LOCKLOST deploy lock ' .. KEYS[1] .. ' is no longer held by ' .. ARGV[1])
            end
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[2], 'backend', ARGV[2], 'percent', ARGV[3])
            return 1
            """;

    // KEYS: canary  ARGV: backend
    private static final String REMOVE = """
            if redis.call('HGET', KEYS[1], 'backend') == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    /** A canary as stored. */
    public record Canary(String backend, int percent) {
    }

    private final Routes routes;

    public Canaries(Routes routes) {
        this.routes = routes;
    }

    /** Gives {@code backend} {@code percent} % of the frontend's requests; exit code 3 when the lock is gone. */
    public void put(String host, BackendUrl backend, int percent, DeployLock lock) throws DeployFailure {
        try {
            routes.sync().eval(PUT, ScriptOutputType.INTEGER, new String[] {lock.key(), routes.keys().canary(host)},
                    lock.owner(), backend.raw(), String.valueOf(percent));
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).contains(FrontendWriter.LOCK_LOST)) {
                throw new DeployFailure(ExitCode.LOCK_HELD, "canary not started: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Removes the frontend's canary if it still names {@code backend}; returns whether it did. */
    public boolean removeIfNaming(String host, String backend) {
        Long n = routes.sync().eval(REMOVE, ScriptOutputType.INTEGER, new String[] {routes.keys().canary(host)}, backend);
        return n != null && n == 1L;
    }

    /** The frontend's canary, if one is on. */
    public Optional<Canary> read(String host) {
        Map<String, String> h = routes.sync().hgetall(routes.keys().canary(host));
        if (h == null || h.get("backend") == null) {
            return Optional.empty();
        }
        int percent;
        try {
            percent = Integer.parseInt(h.getOrDefault("percent", "0").trim());
        } catch (NumberFormatException e) {
            percent = 0;
        }
        return Optional.of(new Canary(h.get("backend"), percent));
    }
}
