package dev.portier.proxy.routing;

import dev.portier.common.RedisDriverUrl;
import dev.portier.proxy.errors.RootCause;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis server and the single long-lived connection all threads share. It connects in the
 * background (the proxy starts and serves what it can while Redis is down), Lettuce reconnects it
 * after a drop (with the client resources' bounded back-off), commands fail at once while it is
 * down, and each state change is logged once. {@code onConnected} gets true on a reconnect.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final String role;
    private final RedisDriverUrl url;
    private final RedisClient client;
    private final ScheduledExecutorService timer;
    private final java.util.function.Consumer<Boolean> onConnected;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean up;
    private volatile boolean everUp;
    private volatile long lostAtNanos;
    /** When a command last came back from Redis (nanoTime); 0 before the first connection. */
    private volatile long lastReplyNanos;
    private final java.util.concurrent.atomic.AtomicBoolean pingInFlight = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    /** The master address a Sentinel announcement last moved this link to. */
    private volatile String followed;
    private static final int FOLLOW_ATTEMPTS = 50;
    private static final Duration FOLLOW_RETRY = Duration.ofMillis(100);
    private boolean startFailureLogged;
    private final java.util.concurrent.CompletableFuture<Void> firstConnect = new java.util.concurrent.CompletableFuture<>();

    RedisLink(String role, RedisDriverUrl url, ClientResources resources, ScheduledExecutorService timer,
              java.util.function.Consumer<Boolean> onConnected) {
        this.role = role;
        this.url = url;
        this.timer = timer;
        this.onConnected = onConnected;
        this.client = RedisClient.create(resources, url.toRedisUri(COMMAND_TIMEOUT));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // a lookup while Redis is down must answer 503 now, not queue until it returns
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                if (c == connection) {
                    connected();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (c == connection) {
                    lost();
                }
            }
        });
    }

    void start() {
        client.connectAsync(StringCodec.UTF8, url.toRedisUri(COMMAND_TIMEOUT)).whenComplete((c, err) -> {
            if (closed) {
                if (c != null) {
                    c.closeAsync();
                }
                return;
            }
            if (err != null) {
                if (!startFailureLogged) {
                    startFailureLogged = true;
                    LOG.warn("Redis ({}) {} unreachable: {}; retrying every second", role, url, RootCause.message(err));
                }
                timer.schedule(this::start, 1, TimeUnit.SECONDS);
                return;
            }
            connection = c;
            connected();
            firstConnect.complete(null);
        });
    }

    /**
     * Moves the link to the master Sentinel just announced ("host:port"): a new connection (Lettuce
     * asks the sentinels again) replaces the current one once that server says it is this master,
     * then {@code onConnected} runs as after a reconnect and {@code switched} after it. Announcements
     * of the same master (each sentinel sends one) are followed once.
     */
    void follow(String address, Runnable switched) {
        if (closed || address.equals(followed)) {
            return;
        }
        followed = address;
        followAttempt(address, switched, System.nanoTime(), 0);
    }

    private void followAttempt(String address, Runnable switched, long announcedNanos, int attempt) {
        if (closed || !address.equals(followed)) {
            return;
        }
        client.connectAsync(StringCodec.UTF8, url.toRedisUri(COMMAND_TIMEOUT)).thenCompose(c ->
                isMasterAt(c.async(), address).whenComplete((ok, err) -> {
                    if (!Boolean.TRUE.equals(ok)) {
                        c.closeAsync();
                    }
                }).thenApply(ok -> ok ? c : null)
        ).whenComplete((c, err) -> {
            if (c == null) {
                if (attempt < FOLLOW_ATTEMPTS) {
                    timer.schedule(() -> followAttempt(address, switched, announcedNanos, attempt + 1),
                            FOLLOW_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    LOG.warn("Redis ({}): the announced master {} was not reachable as master; reconnecting as usual", role, address);
                }
                return;
            }
            StatefulRedisConnection<String, String> old;
            synchronized (this) {
                if (closed) {
                    c.closeAsync();
                    return;
                }
                old = connection;
                connection = c;
            }
            LOG.info("Redis ({}) {}: follows the new master {}, {} ms after Sentinel announced it", role, url, address,
                    (System.nanoTime() - announcedNanos) / 1_000_000);
            connected();
            firstConnect.complete(null);
            switched.run();
            if (old != null) {
                old.closeAsync();
            }
        });
    }

    /** Whether the server behind {@code cmd} is the master at "host:port" (by its port and role). */
    private static java.util.concurrent.CompletionStage<Boolean> isMasterAt(RedisAsyncCommands<String, String> cmd, String address) {
        String port = address.substring(address.lastIndexOf(':') + 1);
        // a sentinel that has not heard of the switch yet still names the old master
        return cmd.info("server").thenCombine(cmd.info("replication"), (server, replication) ->
                server.contains("tcp_port:" + port + "\r") && replication.contains("role:master"));
    }

    /** Waits up to {@code timeout} for the first connection; false when Redis is still unreachable. */
    boolean awaitFirstConnect(Duration timeout) {
        try {
            firstConnect.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    private void connected() {
        lastReplyNanos = System.nanoTime();
        boolean reconnect = everUp;
        if (!up) {
            up = true;
            if (reconnect) {
                LOG.info("Redis ({}) {} reconnected after {} ms down", role, url,
                        (System.nanoTime() - lostAtNanos) / 1_000_000);
            } else {
                LOG.info("Redis ({}) {} connected", role, url);
            }
            everUp = true;
        }
        onConnected.accept(reconnect);
    }

    private void lost() {
        if (up && !closed) {
            up = false;
            lostAtNanos = System.nanoTime();
            LOG.warn("Redis ({}) {} connection lost: routing from the last known table, reconnecting", role, url);
        }
    }

    /**
     * Sends a PING unless one is still out, so that {@link #replyAgeMillis} grows when Redis is
     * frozen: a stopped process keeps its TCP connections open and the link still looks up.
     */
    void heartbeat() {
        RedisAsyncCommands<String, String> redis = commands();
        if (redis == null || !isUp() || !pingInFlight.compareAndSet(false, true)) {
            return;
        }
        try {
            redis.ping().whenComplete((pong, err) -> {
                if (err == null) {
                    lastReplyNanos = System.nanoTime();
                }
                pingInFlight.set(false);
            });
        } catch (RuntimeException e) {
            pingInFlight.set(false);
        }
    }

    /** Milliseconds since Redis last answered (a connect counts), or -1 when it never has. */
    long replyAgeMillis() {
        long last = lastReplyNanos;
        return last == 0 ? -1 : (System.nanoTime() - last) / 1_000_000;
    }

    /** A separate connection for keyspace notifications (pub/sub takes a connection over). */
    java.util.concurrent.CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        java.util.concurrent.CompletableFuture<StatefulRedisPubSubConnection<String, String>> f =
                client.connectPubSubAsync(StringCodec.UTF8, url.toRedisUri(COMMAND_TIMEOUT)).toCompletableFuture();
        String master = followed;
        if (master == null) {
            return f;
        }
        // after a switch, the subscription must be on the master the link follows, not a stale sentinel's
        return f.thenCompose(ps -> isMasterAt(ps.async(), master).thenApply(ok -> {
            if (!ok) {
                ps.closeAsync();
                throw new IllegalStateException("not yet at the new master " + master);
            }
            return ps;
        }));
    }

    /** The shared commands, or null when the link never connected. */
    RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        return c == null ? null : c.async();
    }

    boolean isUp() {
        StatefulRedisConnection<String, String> c = connection;
        return up && c != null && c.isOpen();
    }

    RedisClient client() {
        return client;
    }

    RedisDriverUrl url() {
        return url;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c;
        synchronized (this) {
            closed = true;
            c = connection;
        }
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
