package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.RoutingKeys;
import dev.portier.proxy.config.Balancing;
import dev.portier.proxy.config.ProxySettings;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes from Redis in Hipache's schema, served from an in-process {@link RouteTable}: a miss
 * reads the host's candidate keys once (concurrent misses share the read), keyspace notifications
 * reload a key within milliseconds of a {@code redis-cli} change, and a periodic refresh catches
 * what notifications miss. When Redis is down the last table keeps routing.
 */
public final class RedisRouteSource implements RouteSource {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRouteSource.class);

    /** Hosts remembered before the table starts over (Host headers are chosen by clients). */
    static final int MAX_HOSTS = 50_000;
    /** hipache-hchecker refreshes its ping more often than this while it runs. */
    static final int HCHECKER_FRESH_SECONDS = 30;

    // members and TTL in one reply, so replies keep the order the reads were sent in
    private static final String READ_DEAD = "return {redis.call('SMEMBERS', KEYS[1]), redis.call('PTTL', KEYS[1])}";
    // Hipache's marking: SADD + EXPIRE unless an active hipache-hchecker owns dead:, PUBLISH always
    private static final String MARK_DEAD = """
            local ping = tonumber(redis.call('GET', KEYS[2]) or '')
            local now = tonumber(redis.call('TIME')[1])
            if not ping or now - ping >= tonumber(ARGV[4]) then
              redis.call('SADD', KEYS[1], ARGV[1])
              redis.call('EXPIRE', KEYS[1], ARGV[2])
            end
            redis.call('PUBLISH', 'dead', ARGV[3])
            return 1
            """;

    private final RoutingKeys keys;
    private final int database;
    private final RouteTable table = new RouteTable(MAX_HOSTS);
    private final BackendChooser chooser;
    private final Balancing balancing;
    private final Duration deadTtl;
    private final Duration refreshInterval;
    private final boolean notifications;
    private final ClientResources resources;
    private final ScheduledExecutorService timer;
    private final RedisLink read;
    private final RedisLink write;
    private final Map<String, CompletableFuture<Lookup>> inflight = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean notificationsWarned = new AtomicBoolean();
    private final AtomicLong lastWriteWarning = new AtomicLong();
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private boolean subscribed;
    private boolean closed;

    /**
     * @param notifications whether to use keyspace notifications (off: the refresh alone keeps the
     *                      table fresh, as with a Redis that refuses CONFIG)
     */
    public RedisRouteSource(RedisDriverUrl readUrl, RedisDriverUrl writeUrl, Balancing balancing,
                            Duration deadTtl, Duration refreshInterval, boolean notifications) {
        this.keys = readUrl.keys();
        this.database = readUrl.database();
        this.balancing = balancing;
        this.chooser = new BackendChooser(balancing);
        this.deadTtl = deadTtl;
        this.refreshInterval = refreshInterval;
        this.notifications = notifications;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portier-routes");
            t.setDaemon(true);
            return t;
        });
        this.read = new RedisLink("routes", readUrl, resources, timer, this::onReadConnected);
        this.write = readUrl.equals(writeUrl) ? read
                : new RedisLink("dead marks", writeUrl, resources, timer, () -> { });
        read.start();
        if (write != read) {
            write.start();
        }
        long every = Math.max(1, refreshInterval.toMillis());
        timer.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    public static RedisRouteSource fromSettings(ProxySettings s) {
        return new RedisRouteSource(s.redis().read(), s.redis().write(), s.backends().balancing(), s.backends().deadTtl(),
                s.redis().refreshInterval(), true);
    }

    // ---- what the relay calls (event-loop safe) ----

    @Override
    public Lookup cached(String host) {
        return table.host(host);
    }

    @Override
    public CompletionStage<Lookup> lookup(String host) {
        Lookup known = table.host(host);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Lookup> running = inflight.get(host);
        if (running != null) {
            return running;
        }
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp()) {
            return CompletableFuture.completedFuture(Lookup.unavailable(host));
        }
        CompletableFuture<Lookup> mine = new CompletableFuture<>();
        running = inflight.putIfAbsent(host, mine);
        if (running != null) {
            return running;
        }
        List<String> candidates = HostMatcher.candidates(host);
        table.expect(candidates);
        List<CompletableFuture<?>> reads = new ArrayList<>(candidates.size() + 1);
        for (String key : candidates) {
            reads.add(readFrontend(redis, key));
        }
        reads.add(readDead(redis, host));
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            try {
                Lookup l = err != null ? null : table.resolve(host);
                mine.complete(l != null ? l : Lookup.unavailable(host));
            } finally {
                inflight.remove(host, mine);
            }
        });
        return mine;
    }

    @Override
    public int choose(Lookup lookup, BitSet tried) {
        Frontend f = lookup.frontend();
        if (f == null) {
            return -1;
        }
        return chooser.choose(f, table.dead(lookup.host()), tried,
                balancing == Balancing.ROUNDROBIN ? table.rotation(lookup.frontendKey()) : null, System.nanoTime());
    }

    @Override
    public void markDead(Lookup lookup, int position) {
        Frontend f = lookup.frontend();
        if (f == null || f.size() <= 1) {
            // Hipache's rule: marking the only backend would turn one failure into 30 s of 502s
            return;
        }
        long now = System.nanoTime();
        if (!table.markDead(lookup.host(), position, now + deadTtl.toNanos(), now)) {
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
                        String.valueOf(HCHECKER_FRESH_SECONDS))
                .whenComplete((r, err) -> {
                    if (err != null) {
                        warnRateLimited("cannot write dead mark for " + lookup.host() + ": " + err.getMessage());
                    }
                });
    }

    @Override
    public Set<String> routedAuthorities() {
        return table.routedAuthorities();
    }

    /**
     * Waits up to {@code timeout} for Redis, so a proxy that is just starting does not answer its
     * first requests with 503; false when Redis is still unreachable (the proxy starts anyway).
     */
    public boolean awaitRedis(Duration timeout) {
        return read.awaitFirstConnect(timeout);
    }

    @Override
    public boolean redisConnected() {
        return read.isUp();
    }

    @Override
    public int hostCount() {
        return table.hostCount();
    }

    @Override
    public int frontendCount() {
        return table.frontendCount();
    }

    @Override
    public long lastUpdateMillis() {
        return table.lastUpdateMillis();
    }

    @Override
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("redis", read.isUp() ? "up" : "down");
        out.put("lastUpdate", table.lastUpdateMillis() == 0 ? null
                : java.time.Instant.ofEpochMilli(table.lastUpdateMillis()).toString());
        out.put("hosts", table.hostCount());
        out.putAll(table.snapshot(System.nanoTime()));
        return out;
    }

    // ---- reads, in reply order ----

    /** Reads one key; the returned stage completes once the table holds what was read. */
    private CompletableFuture<Void> readFrontend(RedisAsyncCommands<String, String> redis, String key) {
        String redisKey = keys.frontend(key);
        RedisFuture<List<String>> f = redis.lrange(redisKey, 0, -1);
        // stored in the reply's own callback: replies arrive in send order, so a slow earlier read
        // never overwrites what a later one (after a change) found
        return f.thenAccept(list -> table.putFrontend(key, Frontend.fromList(redisKey, list))).toCompletableFuture();
    }

    /** Reads one host's dead marks; the returned stage completes once the table holds them. */
    private CompletableFuture<Void> readDead(RedisAsyncCommands<String, String> redis, String host) {
        RedisFuture<List<Object>> f = redis.eval(READ_DEAD, ScriptOutputType.MULTI, keys.dead(host));
        return f.thenAccept(reply -> {
            BitSet positions = new BitSet();
            if (reply.get(0) instanceof List<?> members) {
                for (Object m : members) {
                    try {
                        int p = Integer.parseInt(String.valueOf(m).trim());
                        if (p >= 0) {
                            positions.set(p);
                        }
                    } catch (NumberFormatException ignored) {
                        // not a position: Hipache would not match it either
                    }
                }
            }
            long pttl = reply.get(1) instanceof Long l ? l : -2;
            long now = System.nanoTime();
            table.putDead(host, positions, pttl == -1 ? DeadMarks.NEVER : now + Math.max(0, pttl) * 1_000_000L);
        }).toCompletableFuture();
    }

    /** Re-reads every cached key and every routed host's dead marks; runs every refreshInterval. */
    private void refresh() {
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            List<CompletableFuture<?>> reads = new ArrayList<>();
            for (String key : table.keys()) {
                reads.add(readFrontend(redis, key));
            }
            for (String host : table.foundHosts()) {
                reads.add(readDead(redis, host));
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .whenComplete((v, err) -> refreshing.set(false));
        } catch (RuntimeException e) {
            refreshing.set(false);
            LOG.debug("refresh failed: {}", e.toString());
        }
    }

    // ---- keyspace notifications ----

    private void onReadConnected() {
        if (notifications) {
            enableNotifications();
            subscribe();
        }
        // whatever changed while we were away: the periodic refresh would see it, sooner is better
        timer.execute(this::refresh);
    }

    private void enableNotifications() {
        RedisAsyncCommands<String, String> redis = read.commands();
        redis.configGet("notify-keyspace-events").thenCompose(current -> {
            String flags = current.getOrDefault("notify-keyspace-events", "");
            String wanted = mergeFlags(flags);
            return wanted.equals(flags) ? CompletableFuture.completedFuture("OK")
                    : redis.configSet("notify-keyspace-events", wanted);
        }).whenComplete((ok, err) -> {
            if (err != null && notificationsWarned.compareAndSet(false, true)) {
                LOG.warn("cannot turn on Redis keyspace notifications ({}): changes are seen by the refresh every {} ms",
                        err.getMessage(), refreshInterval.toMillis());
            }
        });
    }

    /** Adds what we need (K: keyspace channel; g, l, s, x: generic, list, set, expired) to the server's flags. */
    static String mergeFlags(String current) {
        StringBuilder b = new StringBuilder(current);
        boolean all = current.indexOf('A') >= 0;
        for (char c : new char[] {'K', 'g', 'l', 's', 'x'}) {
            if (current.indexOf(c) < 0 && !(all && c != 'K')) {
                b.append(c);
            }
        }
        return b.toString();
    }

    private synchronized void subscribe() {
        if (subscribed) {
            return; // Lettuce re-subscribes by itself after a reconnect
        }
        subscribed = true;
        String channelPrefix = "__keyspace@" + database + "__:";
        // asynchronously: this runs on a Lettuce I/O thread, which must never wait for a connect
        read.connectPubSub().whenComplete((ps, err) -> {
            if (err != null) {
                synchronized (this) {
                    subscribed = false;
                }
                LOG.debug("pub/sub connect failed: {}; next reconnect retries", err.toString());
                return;
            }
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    if (channel.startsWith(channelPrefix)) {
                        onKeyChanged(channel.substring(channelPrefix.length()));
                    }
                }
            });
            ps.async().psubscribe(channelPrefix + keys.frontendPattern(), channelPrefix + keys.deadPattern())
                    // changes made between our reads and the subscription are caught up here
                    .thenRun(() -> timer.execute(this::refresh));
            synchronized (this) {
                if (closed) {
                    ps.closeAsync();
                } else {
                    pubsub = ps;
                }
            }
        });
    }

    private void onKeyChanged(String redisKey) {
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null) {
            return;
        }
        String key = keys.hostOfFrontendKey(redisKey);
        if (key != null) {
            if (table.knowsKey(key)) {
                readFrontend(redis, key);
            }
            return;
        }
        String host = keys.hostOfDeadKey(redisKey);
        if (host != null && table.knowsHost(host)) {
            readDead(redis, host);
        }
    }

    private void warnRateLimited(String message) {
        long now = System.currentTimeMillis();
        long last = lastWriteWarning.get();
        if (now - last > 10_000 && lastWriteWarning.compareAndSet(last, now)) {
            LOG.warn("{}", message);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
        StatefulRedisPubSubConnection<String, String> ps = pubsub;
        if (ps != null) {
            ps.close();
        }
        if (write != read) {
            write.close();
        }
        read.close();
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
