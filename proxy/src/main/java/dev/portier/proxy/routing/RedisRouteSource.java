package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.RoutingKeys;
import dev.portier.proxy.config.Balancing;
import dev.portier.proxy.config.ProxySettings;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes from Redis in Hipache's schema, served from an in-process {@link RouteTable}. With keyspace
 * notifications, a SCAN at connect and the events keep the set of existing keys, so a host none of
 * whose candidate keys exists is answered from memory with no Redis command at all (a flood of made-up
 * Host headers costs Redis nothing); a change reloads its key within milliseconds. A miss among
 * existing keys reads only those keys once (concurrent misses share the read). A periodic refresh
 * re-reads the lists in use, never what only unknown hosts asked for. When Redis is down the last
 * table keeps routing; Lettuce reconnects within {@link #RECONNECT_DELAY_MAX} of Redis answering.
 */
public final class RedisRouteSource implements RouteSource {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRouteSource.class);

    /** Hosts remembered (and keys read empty kept) at most: Host headers are chosen by clients. */
    static final int MAX_HOSTS = 50_000;
    /** Reconnect back-off ceiling: past the default, a restarted Redis was followed only 5-15 s later. */
    static final Duration RECONNECT_DELAY_MAX = Duration.ofMillis(500);
    /** PING period, so that a frozen Redis shows in the age of the last reply. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /**
     * Period of the safety net under the key index: re-check the notification flags and SCAN again
     * (events are not sent for a replica's full resync or SWAPDB, for example).
     */
    static final Duration INDEX_CHECK_INTERVAL = Duration.ofSeconds(30);
    private static final int SCAN_COUNT = 1000;
    /** hipache-hchecker refreshes its ping more often than this while it runs. */
    static final int HCHECKER_FRESH_SECONDS = 30;

    // members and TTL in one reply, so replies keep the order the reads were sent in
    private static final String READ_DEAD = "return {redis.call('SMEMBERS', KEYS[1]), redis.call('PTTL', KEYS[1])}";
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
    private final int database;
    private final RouteTable table;
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
    private final List<java.util.function.BiConsumer<String, FrontendControls>> controlListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The last warning per bad control key, so a hash read every second does not flood the log. */
    private final Map<String, String> controlWarnings = new ConcurrentHashMap<>();
    // the key index is trusted only while events flow: notifications on, our patterns subscribed,
    // and nothing lost since its scan began (every loss bumps the epoch)
    private volatile boolean notificationsOn;
    private volatile boolean patternsSubscribed;
    private final AtomicLong indexEpoch = new AtomicLong();
    private final AtomicBoolean scanning = new AtomicBoolean();
    private volatile boolean scanAgain;
    private volatile boolean indexWasComplete;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private final Object barrierLock = new Object();
    private CompletableFuture<Void> barrierInFlight;
    private CompletableFuture<Void> barrierNext;
    private boolean subscribed;
    private volatile boolean closed;
    private final SentinelWatch sentinelWatch;

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
        // without notifications, a key read empty is trusted as long as the refresh period
        this.table = new RouteTable(MAX_HOSTS, refreshInterval);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), RECONNECT_DELAY_MAX, 2, TimeUnit.MILLISECONDS))
                .build();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portier-routes");
            t.setDaemon(true);
            return t;
        });
        this.read = new RedisLink("routes", readUrl, resources, timer, this::onReadConnected);
        this.write = readUrl.equals(writeUrl) ? read
                : new RedisLink("dead marks", writeUrl, resources, timer, reconnect -> { });
        read.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (c == pubsub) {
                    indexLost();
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                // nothing: the re-subscription's confirmation starts a scan
            }
        });
        read.start();
        if (write != read) {
            write.start();
        }
        this.sentinelWatch = !readUrl.isSentinel() && !writeUrl.isSentinel() ? null
                : new SentinelWatch(readUrl.isSentinel() ? readUrl : writeUrl, resources, this::followMaster);
        long every = Math.max(1, refreshInterval.toMillis());
        timer.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(read::heartbeat, HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        if (notifications) {
            long check = INDEX_CHECK_INTERVAL.toMillis();
            timer.scheduleWithFixedDelay(this::checkIndex, check, check, TimeUnit.MILLISECONDS);
        }
    }

    public static RedisRouteSource fromSettings(ProxySettings s) {
        return new RedisRouteSource(s.redis().read(), s.redis().write(), s.backends().balancing(), s.backends().deadTtl(),
                s.redis().refreshInterval(), true);
    }

    // ---- what the relay calls (event-loop safe) ----

    @Override
    public Lookup cached(String host) {
        return table.answer(host);
    }

    @Override
    public CompletionStage<Lookup> lookup(String host) {
        Lookup known = table.answer(host);
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
        if (table.indexes().frontends.complete()) {
            barrier().whenComplete((v, err) -> readAndResolve(redis, host, mine, 1));
        } else {
            readAndResolve(redis, host, mine, 1);
        }
        return mine;
    }

    /**
     * Completes once every keyspace event Redis sent before now has been applied: a PING on the
     * subscription connection, whose reply comes after those events. A route written just before
     * a first request for its host is then seen, as a read would have seen it. Lookups waiting at
     * once share one PING (one more follows for those that came after it was sent), so a flood of
     * new hosts costs at most one PING per round trip, on a connection no route change waits for.
     */
    private CompletableFuture<Void> barrier() {
        synchronized (barrierLock) {
            if (barrierInFlight == null || barrierInFlight.isDone()) {
                CompletableFuture<Void> mine = new CompletableFuture<>();
                barrierInFlight = mine;
                ping(mine);
                return mine;
            }
            if (barrierNext == null) {
                barrierNext = new CompletableFuture<>();
            }
            return barrierNext;
        }
    }

    /** Completes {@code target} when a PING sent now on the subscription connection returns (or fails). */
    private void ping(CompletableFuture<Void> target) {
        StatefulRedisPubSubConnection<String, String> ps = pubsub;
        CompletableFuture<String> pong;
        try {
            pong = ps == null ? CompletableFuture.completedFuture(null) : ps.async().ping().toCompletableFuture();
        } catch (RuntimeException e) {
            pong = CompletableFuture.completedFuture(null);
        }
        pong.whenComplete((v, err) -> {
            CompletableFuture<Void> next;
            synchronized (barrierLock) {
                next = barrierNext;
                barrierNext = null;
                barrierInFlight = next;
            }
            target.complete(null);
            if (next != null) {
                ping(next);
            }
        });
    }

    /**
     * Reads the host's unknown candidate keys, then (when it is FOUND) its dead marks: a miss costs
     * no dead-mark read. When a key became unknown meanwhile, reads again (once).
     */
    private void readAndResolve(RedisAsyncCommands<String, String> redis, String host, CompletableFuture<Lookup> mine,
                                int retries) {
        RouteTable.ReadPlan plan = table.keysToRead(host);
        List<CompletableFuture<?>> reads = new ArrayList<>(plan.keys().size());
        try {
            for (String key : plan.keys()) {
                reads.add(readFrontend(redis, key));
            }
        } catch (RuntimeException e) {
            reads.add(CompletableFuture.failedFuture(e));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            Lookup l = table.resolveAfterRead(host, plan);
            if (l == null || l.status() != Lookup.Status.FOUND || !table.indexes().dead.mayExist(host)) {
                return CompletableFuture.completedFuture(l);
            }
            return readDead(redis, host).thenApply(d -> l);
        }).whenComplete((l, err) -> {
            if (l == null && err == null && retries > 0) {
                readAndResolve(redis, host, mine, retries - 1);
                return;
            }
            try {
                Lookup answer = l == null ? Lookup.unavailable(host)
                        : l.status() == Lookup.Status.FOUND ? table.remember(host, l) : l;
                if (answer.status() == Lookup.Status.NOT_FOUND) {
                    table.missSeen(host);
                }
                mine.complete(answer);
            } finally {
                inflight.remove(host, mine);
            }
        });
    }

    @Override
    public int choose(Lookup lookup, BitSet tried) {
        Frontend f = lookup.frontend();
        if (f == null) {
            return -1;
        }
        return chooser.choose(f, table.deadMarks().get(lookup.host()), tried,
                balancing == Balancing.ROUNDROBIN ? table.rotation(lookup.frontendKey()) : null, System.nanoTime());
    }

    @Override
    public FrontendControls controls(Lookup lookup) {
        return table.controls().get(lookup.frontendKey());
    }

    @Override
    public boolean canaryDead(Canary canary) {
        return table.controls().canaryDead(canary.backend().raw(), System.nanoTime());
    }

    @Override
    public void markCanaryDead(Lookup lookup, Canary canary) {
        long now = System.nanoTime();
        if (table.controls().markCanaryDead(canary.backend().raw(), now + deadTtl.toNanos(), now)) {
            LOG.warn("canary {} of {} failed: its share goes to the list for {} s", canary.backend(),
                    lookup.frontendKey(), deadTtl.toSeconds());
        }
    }

    @Override
    public void onControlsChanged(java.util.function.BiConsumer<String, FrontendControls> listener) {
        controlListeners.add(listener);
    }

    @Override
    public Map<String, FrontendBackends> backends() {
        Map<String, FrontendBackends> out = new java.util.HashMap<>();
        table.frontends().forEach((key, f) -> {
            FrontendControls c = table.controls().get(key);
            out.put(key, new FrontendBackends(f.rawBackends(), c == null ? null : c.canary()));
        });
        table.controls().all().forEach((key, c) -> {
            if (c.canary() != null && !out.containsKey(key)) {
                out.put(key, new FrontendBackends(List.of(), c.canary()));
            }
        });
        return out;
    }

    @Override
    public void markDead(Lookup lookup, int position) {
        Frontend f = lookup.frontend();
        if (f == null || f.size() <= 1) {
            // Hipache's rule: marking the only backend would turn one failure into 30 s of 502s
            return;
        }
        long now = System.nanoTime();
        if (!table.deadMarks().mark(lookup.host(), position, now + deadTtl.toNanos(), now)) {
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
    public long redisReplyAgeMillis() {
        return read.replyAgeMillis();
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

    /** The table, for tests of its key indexes. */
    RouteTable tableForTest() {
        return table;
    }

    /** Whether unknown hosts are answered from memory now (the key index is complete). */
    boolean indexComplete() {
        return table.indexes().complete();
    }

    @Override
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("redis", read.isUp() ? "up" : "down");
        out.put("lastUpdate", table.lastUpdateMillis() == 0 ? null
                : java.time.Instant.ofEpochMilli(table.lastUpdateMillis()).toString());
        out.put("hosts", table.hostCount());
        out.put("keyIndex", indexComplete() ? "complete" : "incomplete");
        out.putAll(table.snapshot(System.nanoTime()));
        return out;
    }

    // ---- reads, in reply order ----

    /**
     * Reads one key, and its canary, maintenance and pause hashes that may exist (none once the key
     * index knows they do not); the returned stage completes once the table holds what was read.
     */
    private CompletableFuture<Void> readFrontend(RedisAsyncCommands<String, String> redis, String key) {
        String redisKey = keys.frontend(key);
        RedisFuture<List<String>> f = redis.lrange(redisKey, 0, -1);
        // stored in the reply's own callback: replies arrive in send order, so a slow earlier read
        // never overwrites what a later one (after a change) found
        CompletableFuture<Void> list = f.thenAccept(l -> table.putFrontend(key, Frontend.fromList(redisKey, l)))
                .toCompletableFuture();
        CompletableFuture<Void> all = list;
        for (ControlFamily family : ControlFamily.values()) {
            if (table.indexes().control(family).mayExist(key)) {
                all = CompletableFuture.allOf(all, readControl(redis, family, key, -1));
            }
        }
        return all;
    }

    /**
     * Reads one canary/maintenance/pause hash into the table and tells the listeners when the
     * frontend's controls changed.
     *
     * @param eventSeen the key's event count when an event asked for the read (an empty reply then
     *                  confirms the key gone), or -1
     */
    private CompletableFuture<Void> readControl(RedisAsyncCommands<String, String> redis, ControlFamily family,
                                                String key, long eventSeen) {
        String redisKey = family.key(keys, key);
        return redis.hgetall(redisKey).thenAccept(hash -> {
            Object value;
            try {
                value = family.parse(key, hash, problem -> warnControl(redisKey, problem));
            } catch (IllegalArgumentException e) {
                warnControl(redisKey, e.getMessage() + "; ignored");
                value = null;
            }
            if (hash.isEmpty()) {
                controlWarnings.remove(redisKey);
                if (eventSeen >= 0) {
                    table.indexes().control(family).confirmAbsent(key, eventSeen);
                }
            }
            FrontendControls before = table.putControl(key, family, value);
            FrontendControls now = table.controls().get(key);
            if (!before.equals(now == null ? FrontendControls.NONE : now)) {
                LOG.info("{}: {}", redisKey, value == null ? "none" : value);
                for (var l : controlListeners) {
                    try {
                        l.accept(key, now);
                    } catch (RuntimeException e) {
                        LOG.warn("control listener failed", e);
                    }
                }
            }
        }).toCompletableFuture();
    }

    private void warnControl(String redisKey, String problem) {
        if (!problem.equals(controlWarnings.put(redisKey, problem))) {
            LOG.warn("{}: {}", redisKey, problem);
        }
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
            table.deadMarks().put(host, positions, pttl == -1 ? DeadMarks.NEVER : now + Math.max(0, pttl) * 1_000_000L);
        }).toCompletableFuture();
    }

    /** Re-reads the lists in use and the dead marks of routed hosts; runs every refreshInterval. */
    private void refresh() {
        refresh(false);
    }

    private void refresh(boolean afterReconnect) {
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        try {
            List<CompletableFuture<?>> reads = new ArrayList<>();
            Set<String> keySet = table.refreshKeys();
            for (String key : keySet) {
                reads.add(readFrontend(redis, key));
            }
            Set<String> deadHosts = table.refreshDeadHosts();
            for (String host : deadHosts) {
                reads.add(readDead(redis, host));
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
                refreshing.set(false);
                if (afterReconnect) {
                    if (err == null) {
                        LOG.info("routing table re-read after the reconnect: {} keys, {} dead-mark sets in {} ms",
                                keySet.size(), deadHosts.size(), (System.nanoTime() - start) / 1_000_000);
                    } else {
                        LOG.warn("re-reading the routing table after the reconnect failed ({}); the refresh retries",
                                err.getMessage());
                    }
                }
            });
        } catch (RuntimeException e) {
            refreshing.set(false);
            LOG.debug("refresh failed: {}", e.toString());
        }
    }

    // ---- keyspace notifications and the key index ----

    private void onReadConnected(boolean reconnect) {
        if (notifications) {
            subscribe();
            timer.execute(this::requestScan);
        }
        if (reconnect) {
            // a refresh already under way was sent to the old connection and failed or is failing
            timer.execute(() -> {
                refreshing.set(false);
                refresh(true);
            });
        } else {
            timer.execute(this::refresh);
        }
    }

    /** Turns the notifications we need on; completes with whether they are on. */
    private CompletableFuture<Boolean> enableNotifications(RedisAsyncCommands<String, String> redis) {
        return redis.configGet("notify-keyspace-events").thenCompose(current -> {
            String flags = current.getOrDefault("notify-keyspace-events", "");
            String wanted = mergeFlags(flags);
            return wanted.equals(flags) ? CompletableFuture.completedFuture("OK")
                    : redis.configSet("notify-keyspace-events", wanted);
        }).toCompletableFuture().handle((ok, err) -> {
            if (err != null && notificationsWarned.compareAndSet(false, true)) {
                LOG.warn("cannot turn on Redis keyspace notifications ({}): changes are seen by the refresh every {} ms,"
                        + " and every new Host header is looked up in Redis", err.getMessage(), refreshInterval.toMillis());
            }
            notificationsOn = err == null;
            return err == null;
        });
    }

    /** Adds what we need (K: keyspace channel; g, l, s, h, x: generic, list, set, hash, expired) to the server's flags. */
    static String mergeFlags(String current) {
        StringBuilder b = new StringBuilder(current);
        boolean all = current.indexOf('A') >= 0;
        for (char c : new char[] {'K', 'g', 'l', 's', 'h', 'x'}) {
            if (current.indexOf(c) < 0 && !(all && c != 'K')) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The safety net: checks the flags and scans again (a scan also lets the index catch up on an event-less change). */
    private void checkIndex() {
        requestScan();
    }

    /**
     * Rebuilds the key index with a SCAN of both key families; a request made while one runs is
     * served by another run right after. The result is trusted only when the notification flags
     * were verified and our patterns subscribed before the scan began, and no event was lost since.
     */
    private void requestScan() {
        if (closed || !notifications) {
            return;
        }
        if (!scanning.compareAndSet(false, true)) {
            scanAgain = true;
            return;
        }
        scanAgain = false;
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp()) {
            scanning.set(false);
            return;
        }
        long epoch = indexEpoch.get();
        boolean subscribedAtStart = patternsSubscribed;
        long start = System.nanoTime();
        CompletableFuture<Boolean> run;
        try {
            run = enableNotifications(redis).thenCompose(on -> {
                table.indexes().all().forEach(KeyIndex::beginScan);
                CompletableFuture<Void> scans = scan(redis, ScanCursor.INITIAL, keys.frontendPattern(),
                        keys::hostOfFrontendKey, table.indexes().frontends)
                        .thenCompose(v -> scan(redis, ScanCursor.INITIAL, keys.deadPattern(), keys::hostOfDeadKey,
                                table.indexes().dead));
                for (ControlFamily family : ControlFamily.values()) {
                    scans = scans.thenCompose(v -> scan(redis, ScanCursor.INITIAL, family.pattern(keys),
                            k -> family.hostOf(keys, k), table.indexes().control(family)));
                }
                return scans.thenApply(v -> on && subscribedAtStart);
            });
        } catch (RuntimeException e) {
            run = CompletableFuture.failedFuture(e);
        }
        run.whenComplete((ready, err) -> {
            if (err != null) {
                table.indexes().all().forEach(KeyIndex::abandonScan);
                LOG.debug("key scan failed: {}", err.toString());
            } else {
                boolean trusted = ready && patternsSubscribed && indexEpoch.get() == epoch;
                table.indexes().all().forEach(i -> i.endScan(trusted));
                if (trusted && !indexWasComplete) {
                    LOG.info("key index complete ({} frontend keys, {} dead-mark keys, {} ms): hosts without a frontend"
                                    + " key are answered from memory", table.indexes().frontends.size(), table.indexes().dead.size(),
                            (System.nanoTime() - start) / 1_000_000);
                }
                indexWasComplete = trusted;
            }
            scanning.set(false);
            if (scanAgain) {
                timer.execute(this::requestScan);
            }
        });
    }

    private CompletableFuture<Void> scan(RedisAsyncCommands<String, String> redis, ScanCursor cursor, String pattern,
                                         Function<String, String> name, KeyIndex index) {
        return redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT)).toCompletableFuture()
                .thenCompose((KeyScanCursor<String> page) -> {
                    List<String> names = new ArrayList<>(page.getKeys().size());
                    for (String k : page.getKeys()) {
                        String n = name.apply(k);
                        if (n != null) {
                            names.add(n);
                        }
                    }
                    index.scanned(names);
                    return page.isFinished() ? CompletableFuture.completedFuture(null)
                            : scan(redis, page, pattern, name, index);
                });
    }

    /** Events may have been lost (the subscription dropped): unknown hosts go to Redis until the next trusted scan. */
    private void indexLost() {
        patternsSubscribed = false;
        indexEpoch.incrementAndGet();
        table.indexes().all().forEach(KeyIndex::invalidate);
        if (indexWasComplete) {
            indexWasComplete = false;
            LOG.info("key index suspended until the keyspace subscription is back");
        }
    }

    private synchronized void subscribe() {
        if (subscribed) {
            return; // Lettuce re-subscribes by itself after a reconnect
        }
        subscribed = true;
        String channelPrefix = "__keyspace@" + database + "__:";
        List<String> all = new ArrayList<>(List.of(keys.frontendPattern(), keys.deadPattern()));
        for (ControlFamily family : ControlFamily.values()) {
            all.add(family.pattern(keys));
        }
        String[] patterns = all.stream().map(p -> channelPrefix + p).toArray(String[]::new);
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
                        onKeyEvent(channel.substring(channelPrefix.length()), message);
                    }
                }

                @Override
                public void psubscribed(String pattern, long count) {
                    // also after Lettuce re-subscribes on a new connection: events flow again, scan again
                    if (count >= patterns.length) {
                        patternsSubscribed = true;
                        timer.execute(RedisRouteSource.this::requestScan);
                    }
                }
            });
            ps.async().psubscribe(patterns)
                    // changes made between our reads and the subscription are caught up here
                    .thenRun(() -> timer.execute(this::refresh));
        });
    }

    /** Sentinel announced a new master: the links move to it; the subscription too, as it may sit on the demoted one. */
    private void followMaster(String address) {
        if (read.url().isSentinel()) {
            read.follow(address, this::resubscribe);
        }
        if (write != read && write.url().isSentinel()) {
            write.follow(address, () -> { });
        }
    }

    private void resubscribe() {
        StatefulRedisPubSubConnection<String, String> old;
        synchronized (this) {
            old = pubsub;
            pubsub = null;
            subscribed = false;
        }
        indexLost();
        if (old != null) {
            old.closeAsync();
        }
        if (notifications) {
            subscribe();
        }
    }

    private void onKeyEvent(String redisKey, String event) {
        for (ControlFamily family : ControlFamily.values()) {
            String host = family.hostOf(keys, redisKey);
            if (host != null) {
                long seq = table.indexes().control(family).event(host, event);
                RedisAsyncCommands<String, String> redis = read.commands();
                if (redis != null) {
                    // read whether or not the frontend is in use: control keys are few, and changed by hand
                    readControl(redis, family, host, seq);
                }
                return;
            }
        }
        String key = keys.hostOfFrontendKey(redisKey);
        String host = key == null ? keys.hostOfDeadKey(redisKey) : null;
        long seq = 0;
        if (key != null) {
            seq = table.indexes().frontends.event(key, event);
        } else if (host != null) {
            long deadSeq = table.indexes().dead.event(host, event);
            if (KeyIndex.isRemoval(event)) {
                table.indexes().dead.confirmAbsent(host, deadSeq); // a moment without marks is harmless
            }
        }
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null) {
            return;
        }
        if (key != null) {
            // read even when no one asked for it yet: a route being created is about to be used
            long eventSeen = seq;
            readFrontend(redis, key).thenRun(() -> {
                if (!table.holds(key)) {
                    table.indexes().frontends.confirmAbsent(key, eventSeen);
                }
            });
        } else if (host != null && table.knowsHost(host)) {
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
        if (sentinelWatch != null) {
            sentinelWatch.close();
        }
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
