package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import dev.portier.common.RoutingKeys;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The keyspace subscription: every key family's events on a connection of its own, each handed on
 * as it comes. It tells the key scan when events flow and when some may have been lost, and moves
 * to the new master after a Sentinel failover.
 */
final class KeyspaceWatch implements AutoCloseable {

    private final RedisLink read;
    private final String channelPrefix;
    private final String[] patterns;
    private final ScheduledExecutorService timer;
    private final BiConsumer<String, String> onEvent;
    private final KeyScan scan;
    private final Runnable catchUp;
    private final EventBarrier barrier = new EventBarrier(() -> this.pubsub);
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private boolean subscribed;
    private volatile boolean closed;

    /**
     * @param onEvent  gets each event's key (without the channel prefix) and event name
     * @param catchUp  runs each time the patterns are subscribed: it reads what changed between our reads
     *                 and the subscription
     */
    KeyspaceWatch(RedisLink read, RoutingKeys keys, int database, ScheduledExecutorService timer,
                  BiConsumer<String, String> onEvent, KeyScan scan, Runnable catchUp) {
        this.read = read;
        this.timer = timer;
        this.onEvent = onEvent;
        this.scan = scan;
        this.catchUp = catchUp;
        this.channelPrefix = "__keyspace@" + database + "__:";
        List<String> all = new ArrayList<>(List.of(keys.frontendPattern(), keys.deadPattern()));
        for (ControlFamily family : ControlFamily.values()) {
            all.add(family.pattern(keys));
        }
        this.patterns = all.stream().map(p -> channelPrefix + p).toArray(String[]::new);
        read.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (c == pubsub) {
                    scan.eventsLost();
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                // nothing: the re-subscription's confirmation starts a scan
            }
        });
    }

    /** Tells when the events Redis sent before now are applied. */
    EventBarrier barrier() {
        return barrier;
    }

    /** Subscribes, unless done already: Lettuce re-subscribes by itself after a reconnect. */
    synchronized void subscribe() {
        if (subscribed) {
            return;
        }
        subscribed = true;
        // asynchronously: this runs on a Lettuce I/O thread, which must never wait for a connect
        read.connectPubSub().whenComplete((ps, err) -> {
            if (err != null) {
                synchronized (this) {
                    subscribed = false;
                }
                LOG.debug("pub/sub connect failed: {}; next reconnect retries", err.toString());
                if (read.url().isSentinel() && !closed) {
                    // after a failover no reconnect may come: the link has already moved
                    timer.schedule(this::subscribe, 200, TimeUnit.MILLISECONDS);
                }
                return;
            }
            synchronized (this) {
                if (closed) {
                    ps.closeAsync();
                    return;
                }
                pubsub = ps;
            }
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    if (channel.startsWith(channelPrefix)) {
                        onEvent.accept(channel.substring(channelPrefix.length()), message);
                    }
                }

                @Override
                public void psubscribed(String pattern, long count) {
                    if (count >= patterns.length) {
                        scan.eventsFlowing();
                        // here, not after our PSUBSCRIBE: Lettuce re-subscribes by itself after a
                        // drop of this connection alone, and what changed meanwhile sent no event
                        timer.execute(catchUp);
                    }
                }
            });
            ps.async().psubscribe(patterns);
        });
    }

    /** The read link moved to a new master: the subscription moves too, as it may sit on the demoted one. */
    void resubscribe() {
        StatefulRedisPubSubConnection<String, String> old;
        synchronized (this) {
            old = pubsub;
            pubsub = null;
            subscribed = false;
        }
        scan.eventsLost();
        if (old != null) {
            old.closeAsync();
        }
        subscribe();
    }

    @Override
    public void close() {
        StatefulRedisPubSubConnection<String, String> ps;
        synchronized (this) {
            closed = true;
            ps = pubsub;
        }
        if (ps != null) {
            ps.close();
        }
    }
}
