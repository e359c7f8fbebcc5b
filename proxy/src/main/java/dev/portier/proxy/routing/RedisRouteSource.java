package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import dev.portier.common.Frontend;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.RoutingKeys;
import dev.portier.proxy.config.Balancing;
import dev.portier.proxy.config.ProxySettings;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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

    /** Hosts remembered (and keys read empty kept) at most: Host headers are chosen by clients. */
    static final int MAX_HOSTS = 50_000;
    /** Reconnect back-off ceiling: past the default, a restarted Redis was followed only 5-15 s later. */
    static final Duration RECONNECT_DELAY_MAX = Duration.ofMillis(500);
    /** PING period, so that a frozen Redis shows in the age of the last reply. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    private final RouteTable table;
    private final BackendChooser chooser;
    private final Balancing balancing;
    private final Duration deadTtl;
    private final boolean notifications;
    private final ClientResources resources;
    private final ScheduledExecutorService timer;
    private final RedisLink read;
    private final RedisLink write;
    private final ControlReader controlReader;
    private final TableRefresh refresh;
    private final KeyScan scan;
    private final KeyspaceWatch keyspace;
    private final HostResolver resolver;
    private final DeadMarkWriter deadMarkWriter;
    private final SentinelWatch sentinelWatch;

    /**
     * @param notifications whether to use keyspace notifications (off: the refresh alone keeps the
     *                      table fresh, as with a Redis that refuses CONFIG)
     */
    public RedisRouteSource(RedisDriverUrl readUrl, RedisDriverUrl writeUrl, Balancing balancing,
                            Duration deadTtl, Duration refreshInterval, boolean notifications) {
        RoutingKeys keys = readUrl.keys();
        this.balancing = balancing;
        this.chooser = new BackendChooser(balancing);
        this.deadTtl = deadTtl;
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
        this.controlReader = new ControlReader(keys, table);
        FrontendReader frontendReader = new FrontendReader(keys, table, controlReader);
        DeadMarkReader deadMarkReader = new DeadMarkReader(keys, table.deadMarks());
        this.refresh = new TableRefresh(read, table, frontendReader, deadMarkReader);
        this.scan = new KeyScan(read, keys, table.indexes(), new NotificationFlags(refreshInterval), timer);
        KeyEvents events = new KeyEvents(keys, table, read, frontendReader, controlReader, deadMarkReader);
        this.keyspace = new KeyspaceWatch(read, keys, readUrl.database(), timer, events::apply, scan, refresh::run);
        this.resolver = new HostResolver(table, read, frontendReader, deadMarkReader, keyspace.barrier());
        this.deadMarkWriter = new DeadMarkWriter(keys, table.deadMarks(), write, deadTtl);
        read.start();
        if (write != read) {
            write.start();
        }
        this.sentinelWatch = !readUrl.isSentinel() && !writeUrl.isSentinel() ? null
                : new SentinelWatch(readUrl.isSentinel() ? readUrl : writeUrl, resources, this::followMaster);
        long every = Math.max(1, refreshInterval.toMillis());
        timer.scheduleWithFixedDelay(refresh::run, every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(read::heartbeat, HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        if (notifications) {
            long check = KeyScan.CHECK_INTERVAL.toMillis();
            timer.scheduleWithFixedDelay(scan::request, check, check, TimeUnit.MILLISECONDS);
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
        return known != null ? CompletableFuture.completedFuture(known) : resolver.resolve(host);
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
    public void onControlsChanged(BiConsumer<String, FrontendControls> listener) {
        controlReader.onChange(listener);
    }

    @Override
    public Map<String, FrontendBackends> backends() {
        Map<String, FrontendBackends> out = new HashMap<>();
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
        deadMarkWriter.mark(lookup, position);
    }

    @Override
    public Set<String> routedAuthorities() {
        return table.routedAuthorities();
    }

    // ---- state, for health checks, metrics and /routes ----

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
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("redis", read.isUp() ? "up" : "down");
        out.put("lastUpdate", table.lastUpdateMillis() == 0 ? null
                : java.time.Instant.ofEpochMilli(table.lastUpdateMillis()).toString());
        out.put("hosts", table.hostCount());
        out.put("keyIndex", indexComplete() ? "complete" : "incomplete");
        out.putAll(table.snapshot(System.nanoTime()));
        return out;
    }

    // ---- connection events ----

    private void onReadConnected(boolean reconnect) {
        if (notifications) {
            keyspace.subscribe();
            timer.execute(scan::request);
        }
        timer.execute(reconnect ? refresh::afterReconnect : refresh::run);
    }

    /** Sentinel announced a new master: the links move to it; the subscription too, as it may sit on the demoted one. */
    private void followMaster(String address) {
        if (read.url().isSentinel()) {
            read.follow(address, notifications ? keyspace::resubscribe : () -> { });
        }
        if (write != read && write.url().isSentinel()) {
            write.follow(address, () -> { });
        }
    }

    @Override
    public void close() {
        // first: no scan or subscription may start on what is closed below
        scan.close();
        keyspace.close();
        timer.shutdownNow();
        if (sentinelWatch != null) {
            sentinelWatch.close();
        }
        if (write != read) {
            write.close();
        }
        read.close();
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
