package dev.portier.deploy;

import dev.portier.common.Frontend;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.RoutingKeys;
import dev.portier.proxy.routing.Lookup;
import dev.portier.proxy.routing.RouteSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the proxy's Redis route source while that branch has not landed on main:
 * exact host then {@code *}, every known host re-read every {@code period}, first live backend
 * chosen. Just enough for the zero-downtime test to drive the real relay from the lists the
 * deployer writes; it is never used once {@code ProxyServer.start(settings)} works.
 */
final class PollingRouteSource implements RouteSource {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RoutingKeys keys;
    private final Map<String, Lookup> cache = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "polling-route-source");
        t.setDaemon(true);
        return t;
    });

    PollingRouteSource(RedisDriverUrl url, Duration period) {
        client = RedisClient.create(url.toRedisUri(Duration.ofSeconds(2)));
        connection = client.connect();
        keys = url.keys();
        refresher.scheduleAtFixedRate(this::refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        for (String host : List.copyOf(cache.keySet())) {
            try {
                cache.put(host, read(host));
            } catch (RuntimeException e) {
                // keep serving the last answer while Redis is away, as the real source does
            }
        }
    }

    private Lookup read(String host) {
        for (String candidate : List.of(host, "*")) {
            Frontend f = Frontend.fromList(candidate, connection.sync().lrange(keys.frontend(candidate), 0, -1));
            if (f != null && f.size() > 0) {
                return Lookup.found(host, candidate, f);
            }
        }
        return Lookup.notFound(host);
    }

    @Override
    public Lookup cached(String host) {
        return cache.get(host);
    }

    @Override
    public CompletionStage<Lookup> lookup(String host) {
        return CompletableFuture.supplyAsync(() -> cache.computeIfAbsent(host, this::read), refresher);
    }

    @Override
    public int choose(Lookup lookup, BitSet tried) {
        for (int i = 0; i < lookup.frontend().size(); i++) {
            if (!tried.get(i) && lookup.frontend().backend(i) != null) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void markDead(Lookup lookup, int position) {
        // the deployer's lists hold one backend, which Hipache never marks dead
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        connection.close();
        client.shutdown();
    }
}
