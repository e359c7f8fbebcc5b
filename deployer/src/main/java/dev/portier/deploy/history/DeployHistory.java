package dev.portier.deploy.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.common.RoutingKeys;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * The deploy history of a Redis (every deployer of a host or fleet writes to the same one, so
 * every one reads all of it): a list of JSON {@link DeployRecord}s under {@link RoutingKeys#history()},
 * newest first, trimmed to {@link #KEPT} entries at each write.
 */
public final class DeployHistory {

    /** Entries kept; older ones are trimmed. */
    public static final int KEPT = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisCommands<String, String> redis;
    private final String key;

    public DeployHistory(RedisCommands<String, String> redis, RoutingKeys keys) {
        this.redis = redis;
        this.key = keys.history();
    }

    /** Adds an entry at the head and trims the tail (a trim that misses a beat trims more next time). */
    public void record(DeployRecord entry) {
        String json;
        try {
            json = JSON.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a deploy record is always serialisable", e);
        }
        redis.lpush(key, json);
        redis.ltrim(key, 0, KEPT - 1);
    }

    /**
     * Who runs this deployer, {@code user@machine}: the user behind sudo when there is one (the
     * operator, not root), else this process's user.
     */
    public static String operator(String machine) {
        String sudo = System.getenv("SUDO_USER");
        String user = sudo != null && !sudo.isBlank() ? sudo : System.getProperty("user.name", "?");
        return user + "@" + machine;
    }

    /** The newest {@code limit} entries, of one frontend or (null) all; entries that are not ours are skipped. */
    public List<DeployRecord> recent(String frontend, int limit) {
        List<DeployRecord> out = new ArrayList<>();
        if (limit <= 0) {
            return out;
        }
        for (String json : redis.lrange(key, 0, KEPT - 1)) {
            DeployRecord r = parse(json);
            if (r != null && (frontend == null || frontend.equals(r.frontend()))) {
                out.add(r);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    private static DeployRecord parse(String json) {
        try {
            return JSON.readValue(json, DeployRecord.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
