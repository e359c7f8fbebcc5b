package dev.portier.proxy.routing;

import dev.portier.common.RedisDriverUrl;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to every sentinel of the group for {@code +switch-master} of our master and reports the
 * new master's address at once: without it a link would notice a failover only when its connection
 * drops (a killed master: after Lettuce's next reconnect attempt) or when Sentinel kills the demoted
 * master's clients, and until then it could still write to the old master.
 */
final class SentinelWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SentinelWatch.class);
    static final String CHANNEL = "+switch-master";

    private final RedisClient client;
    private volatile boolean closed;

    /** Subscribes (in the background; a sentinel down now is retried by Lettuce) and calls {@code onSwitch} with "host:port". */
    SentinelWatch(RedisDriverUrl url, ClientResources resources, Consumer<String> onSwitch) {
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder().autoReconnect(true).build());
        String master = url.sentinelMasterId();
        for (RedisURI sentinel : url.sentinelUris(Duration.ofSeconds(2))) {
            client.connectPubSubAsync(StringCodec.UTF8, sentinel).whenComplete((c, err) -> {
                if (err != null) {
                    LOG.warn("sentinel {}:{} unreachable ({}); failovers are followed through the others",
                            sentinel.getHost(), sentinel.getPort(), err.getMessage());
                    return;
                }
                if (closed) {
                    c.closeAsync();
                    return;
                }
                c.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        String address = newMaster(master, message);
                        if (address != null) {
                            onSwitch.accept(address);
                        }
                    }
                });
                c.async().subscribe(CHANNEL);
            });
        }
    }

    /** The new master's "host:port" from a {@code +switch-master} message about {@code master}, else null. */
    static String newMaster(String master, String message) {
        // "<master name> <old ip> <old port> <new ip> <new port>"
        String[] parts = message.trim().split(" ");
        if (parts.length != 5 || !parts[0].equals(master)) {
            return null;
        }
        return parts[3] + ":" + parts[4];
    }

    @Override
    public void close() {
        closed = true;
        // the client closes its connections (closing them first too would log "already closed")
        client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
