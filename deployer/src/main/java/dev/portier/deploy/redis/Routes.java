package dev.portier.deploy.redis;

import dev.portier.common.Frontend;
import dev.portier.common.FrontendWriter;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.RoutingKeys;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The deployer's side of Redis: one connection, frontend lists and dead marks read, the writer handed out. */
public final class Routes implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RoutingKeys keys;
    private final RedisDriverUrl url;

    private Routes(RedisClient client, StatefulRedisConnection<String, String> connection, RedisDriverUrl url) {
        this.client = client;
        this.connection = connection;
        this.url = url;
        this.keys = url.keys();
    }

    /** How long a command waits for a Sentinel group to put a new master in place before it fails. */
    public static final Duration SENTINEL_COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Connects or fails with exit code 5, naming the server (never its password). On a single
     * Redis a command is short-lived: when Redis goes away mid-command, every later call fails at
     * once instead of waiting out a timeout behind a reconnecting connection. On a Sentinel group
     * the connection follows a failover instead (Lettuce asks the sentinels for the master at each
     * reconnect and sends a command that was cut off again there), and a command waits up to
     * {@link #SENTINEL_COMMAND_TIMEOUT} for the new master.
     */
    public static Routes connect(RedisDriverUrl url) throws DeployFailure {
        RedisClient client = RedisClient.create(url.toRedisUri(url.isSentinel() ? SENTINEL_COMMAND_TIMEOUT : Duration.ofSeconds(5)));
        client.setOptions(ClientOptions.builder().autoReconnect(url.isSentinel()).build());
        try {
            StatefulRedisConnection<String, String> c = client.connect();
            c.sync().ping();
            return new Routes(client, c, url);
        } catch (RedisException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "Redis is unreachable at " + url + ": " + Failures.rootMessage(e), e);
        }
    }

    public RedisCommands<String, String> sync() {
        return connection.sync();
    }

    public RoutingKeys keys() {
        return keys;
    }

    public RedisDriverUrl url() {
        return url;
    }

    public FrontendWriter writer() {
        return new FrontendWriter(sync(), keys);
    }

    /** The frontend list, or null when it does not exist. */
    public Frontend frontend(String host) {
        String key = keys.frontend(host);
        return Frontend.fromList(key, sync().lrange(key, 0, -1));
    }

    /** Positions marked dead for a host (0-based after the identifier). */
    public Set<Integer> deadMarks(String host) {
        Set<Integer> out = new TreeSet<>();
        for (String m : sync().smembers(keys.dead(host))) {
            try {
                out.add(Integer.parseInt(m));
            } catch (NumberFormatException ignored) {
                // hipache-hchecker writes positions only; anything else is not ours to show
            }
        }
        return out;
    }

    /** When each container of a host was last made live (container id to instant), as promotions recorded it. */
    public Map<String, Instant> liveTimes(String host) {
        Map<String, Instant> out = new HashMap<>();
        sync().hgetall(keys.live(host)).forEach((id, millis) -> {
            try {
                out.put(id, Instant.ofEpochMilli(Long.parseLong(millis)));
            } catch (NumberFormatException ignored) {
                // not written by a promotion: as if absent
            }
        });
        return out;
    }

    /** Puts a container's record back to what it was before a promotion that was undone (null: no record). */
    public void restoreLiveTime(String host, String containerId, Instant before) {
        if (before == null) {
            sync().hdel(keys.live(host), containerId);
        } else {
            sync().hset(keys.live(host), containerId, String.valueOf(before.toEpochMilli()));
        }
    }

    /** Drops the records of containers that no longer exist. */
    public void forgetLiveTimes(String host, List<String> containerIds) {
        if (!containerIds.isEmpty()) {
            sync().hdel(keys.live(host), containerIds.toArray(new String[0]));
        }
    }

    /** Every host with a frontend list, by SCAN (never KEYS, which blocks a busy server). */
    public List<String> hosts() {
        List<String> out = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs args = ScanArgs.Builder.matches(keys.frontendPattern()).limit(500);
        do {
            KeyScanCursor<String> page = sync().scan(cursor, args);
            for (String k : page.getKeys()) {
                String host = keys.hostOfFrontendKey(k);
                if (host != null && !out.contains(host)) {
                    out.add(host);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        out.sort(null);
        return out;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
