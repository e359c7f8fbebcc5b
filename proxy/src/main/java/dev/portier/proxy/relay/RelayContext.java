package dev.portier.proxy.relay;

import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.errors.MaintenancePages;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.RouteSource;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What every client connection's relay shares: settings, routes, pools, local answers, drain state, metrics. */
public final class RelayContext {

    private final ProxySettings settings;
    private final RouteSource routes;
    private final BackendPools pools;
    private final LocalAnswers answers;
    private final String version;
    private final String scheme;
    private final Drain drain;
    private final ProxyMetrics metrics;
    private final long bodyTimeoutNanos;
    private final PausedRequests pauses;
    private final FinOnLastWrite finOnLastWrite;
    private final long clientIdleNanos;
    private final Map<EventLoop, IdleClients> idleClients = new ConcurrentHashMap<>();

    /**
     * @param scheme {@code http} or {@code https}, as the listener serves it (X-Forwarded-Proto)
     * @param cork   the transport's TCP_CORK option ({@link FinOnLastWrite}), null where it has none
     */
    public RelayContext(ProxySettings settings, RouteSource routes, BackendPools pools, ErrorPages errorPages,
                        String version, String scheme, Drain drain, ProxyMetrics metrics, ChannelOption<Boolean> cork) {
        this.settings = settings;
        this.routes = routes;
        this.pools = pools;
        this.finOnLastWrite = new FinOnLastWrite(cork);
        this.answers = new LocalAnswers(errorPages, new MaintenancePages(settings.listeners().staticDir()), version,
                finOnLastWrite);
        this.pauses = routes == null ? null
                : new PausedRequests(routes, settings.pausing().maxHold(), settings.pausing().maxRequests());
        if (pauses != null && metrics != null) {
            metrics.gauge("portier.requests.held", "requests held for paused frontends", pauses, PausedRequests::total,
                    "listener", scheme);
        }
        this.version = version;
        this.scheme = scheme;
        this.drain = drain;
        this.metrics = metrics;
        this.bodyTimeoutNanos = settings.timeouts().body().toNanos();
        this.clientIdleNanos = settings.timeouts().clientIdle().toNanos();
    }

    public ProxySettings settings() {
        return settings;
    }

    RouteSource routes() {
        return routes;
    }

    BackendPools pools() {
        return pools;
    }

    /** Requests held for paused frontends. */
    PausedRequests pauses() {
        return pauses;
    }

    FinOnLastWrite finOnLastWrite() {
        return finOnLastWrite;
    }

    LocalAnswers answers() {
        return answers;
    }

    String version() {
        return version;
    }

    String scheme() {
        return scheme;
    }

    Drain drain() {
        return drain;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** The client connections of a loop, for the client idle timeout. */
    IdleClients idleClients(EventLoop loop) {
        return idleClients.computeIfAbsent(loop, l -> new IdleClients(l, clientIdleNanos));
    }

    /** Longest silence of a request body the relay is waiting for; 0: no limit. */
    long bodyTimeoutNanos() {
        return bodyTimeoutNanos;
    }

    /** Whether the client may see debug headers (they show backends' internal addresses): {@code server.debugFrom}. */
    boolean debugAllowed(Channel client) {
        return settings.listeners().debugFrom().allows(client.remoteAddress());
    }
}
