package dev.portier.proxy;

import dev.portier.proxy.accesslog.LogFiles;
import dev.portier.proxy.admin.AdminServer;
import dev.portier.proxy.config.ConfigException;
import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.relay.BackendPools;
import dev.portier.proxy.relay.RelayContext;
import dev.portier.proxy.routing.RedisRouteSource;
import dev.portier.proxy.routing.RouteSource;
import dev.portier.proxy.server.ClientPipeline;
import dev.portier.proxy.server.ConnectionBalance;
import dev.portier.proxy.server.ConnectionLimiter;
import dev.portier.proxy.server.ListenSockets;
import dev.portier.proxy.relay.Drain;
import dev.portier.proxy.server.TlsContexts;
import dev.portier.proxy.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running proxy: listeners, event loops, backend pools and the route source. */
public final class ProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    /** How long the kernel holds a silent new connection back (rounded by it to SYN-ACK retransmissions). */
    private static final int DEFER_ACCEPT_SECONDS = 1;

    private final RouteSource routes;
    private final EventLoopGroup group;
    private final BackendPools pools;
    private final ConnectionLimiter limiter;
    private final ConnectionBalance balance = new ConnectionBalance();
    private final Drain drain = new Drain();
    /** The first socket of each listening address, in the order of the settings. */
    private final List<Channel> listeners = new ArrayList<>();
    /** Every listening socket (one per event loop and address with epoll). */
    private final List<Channel> sockets = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Longest a second caller of close() waits for the first: every step of it is bounded by less. */
    private static final long CLOSE_WAIT_SECONDS = 30;
    /** Longest wait for an event loop to list its connections (a stuck loop is left out). */
    private static final long LOOP_ANSWER_MILLIS = 2_000;
    private final ProxyMetrics metrics;
    private AdminServer admin;
    private TlsContexts tls;

    private ProxyServer(ProxySettings settings, RouteSource routes) {
        this.routes = routes;
        Transport transport = transport(settings.listeners().transport());
        this.group = transport.newGroup(settings.listeners().workers(), "portier-loop", balance);
        this.pools = new BackendPools(settings, transport);
        this.limiter = new ConnectionLimiter(settings.listeners().maxConnections(), balance);
        LogFiles.configure(settings.logs().effectiveDir());
        this.metrics = new ProxyMetrics(settings.statsd().host(), settings.statsd().port(), settings.statsd().flavor());
        registerGauges();
        ErrorPages errorPages = new ErrorPages(settings.listeners().staticDir());
        RelayContext relay = new RelayContext(settings, routes, pools, errorPages,
                "portier/" + version(), "http", drain, metrics, transport.cork());
        ServerBootstrap b = new ServerBootstrap()
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // no TCP_NODELAY here: every transport's socket config sets it already, and setting it
                // again is one more system call per accepted connection
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ClientPipeline(relay, limiter, null));
        if (transport.deferAccept() != null) {
            // a connection is accepted once its first bytes are there (nginx's "deferred"): the
            // accept and the first read come together, one loop turn per new connection less.
            // A client that connects and stays silent is not seen before it speaks, or before the
            // kernel gives up waiting (a few seconds), and then meets the header timeout as before
            b.option(transport.deferAccept(), DEFER_ACCEPT_SECONDS);
        }
        // one socket per event loop; SO_REUSEPORT also lets a new proxy process bind the same port
        // before the old one drains
        ChannelOption<Boolean> perLoop = transport.reusePort();
        group.next().scheduleWithFixedDelay(this::closeUnroutedConnections, 10, 10, TimeUnit.SECONDS);
        try {
            for (InetSocketAddress address : settings.listeners().http()) {
                Channel ch = listen(b, perLoop, address);
                LOG.info("listening on {} ({} transport, {} event loops)", ch.localAddress(), transport.name(),
                        settings.listeners().workers());
            }
            if (!settings.tls().listen().isEmpty()) {
                tls = new TlsContexts(settings.tls().certificates(), 5_000);
                RelayContext secure = new RelayContext(settings, routes, pools, errorPages,
                        "portier/" + version(), "https", drain, metrics, transport.cork());
                ServerBootstrap https = b.clone().childHandler(
                        new ClientPipeline(secure, limiter, tls.mapping()));
                for (InetSocketAddress address : settings.tls().listen()) {
                    Channel ch = listen(https, perLoop, address);
                    LOG.info("listening on {} (HTTPS)", ch.localAddress());
                }
            }
            if (settings.admin().port() >= 0) {
                admin = new AdminServer(new InetSocketAddress(settings.admin().bind(), settings.admin().port()), routes,
                        metrics, () -> !sockets.isEmpty() && sockets.stream().allMatch(Channel::isActive),
                        new AdminServer.Limits(settings.admin().maxConnections(), settings.admin().idleTimeout(),
                                settings.redis().degradedAfter()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Transport transport(String name) {
        try {
            return Transport.named(name);
        } catch (IllegalStateException e) {
            throw new ConfigException("server.transport: " + e.getMessage());
        }
    }

    /** Binds an address; the channel returned is the first of its sockets, the one {@link #port(int)} names. */
    private Channel listen(ServerBootstrap template, ChannelOption<Boolean> perLoop, InetSocketAddress address) {
        List<Channel> bound = ListenSockets.bind(template, group, perLoop, address);
        listeners.add(bound.get(0));
        sockets.addAll(bound);
        return bound.get(0);
    }

    private void registerGauges() {
        metrics.gauge("portier.connections.open", "open client connections", limiter, ConnectionLimiter::open);
        metrics.counter("portier.connections.moved", "client connections served by another event loop than the one"
                + " that accepted them, to even out the loops", balance, ConnectionBalance::moves);
        metrics.gauge("portier.pool.connections", "backend connections", pools, BackendPools::idleConnections,
                "state", "idle");
        metrics.gauge("portier.pool.connections", "backend connections", pools, BackendPools::activeConnections,
                "state", "active");
        metrics.gauge("portier.routes.frontends", "frontend lists in the table", routes, RouteSource::frontendCount);
        metrics.gauge("portier.routes.hosts", "request hosts the table remembers", routes, RouteSource::hostCount);
        metrics.gauge("portier.routes.age.seconds", "seconds since the table last changed", routes,
                r -> r.lastUpdateMillis() == 0 ? Double.NaN : (System.currentTimeMillis() - r.lastUpdateMillis()) / 1000.0);
        metrics.gauge("portier.redis.up", "1 when Redis is reachable", routes, r -> r.redisConnected() ? 1 : 0);
        metrics.counter("portier.log.dropped", "log lines dropped because the disk fell behind",
                LogFiles.class, c -> LogFiles.droppedLines());
    }

    /** The admin listener's port, or -1 when it is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Binds every listener and starts routing from Redis; throws when a port cannot be bound. */
    public static ProxyServer start(ProxySettings settings) {
        Transport.keepLettuceOnEpoll();
        RedisRouteSource routes = RedisRouteSource.fromSettings(settings);
        if (!routes.awaitRedis(Duration.ofSeconds(3))) {
            LOG.warn("starting without Redis: hosts never seen get 503 until it is reachable");
        }
        return start(settings, routes);
    }

    /** Starts with a given route source (which the server closes with itself). */
    public static ProxyServer start(ProxySettings settings, RouteSource routes) {
        return new ProxyServer(settings, routes);
    }

    private void closeUnroutedConnections() {
        java.util.Set<String> routed = routes.routedAuthorities();
        if (routed != null) {
            pools.retainOnly(routed);
        }
    }

    /** The port of the n-th listener (HTTP ones first, then HTTPS). */
    public int port(int n) {
        return ((InetSocketAddress) listeners.get(n).localAddress()).getPort();
    }

    /** The port the first listener is bound to (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
    }

    /** Client connections open now (refused ones not counted). */
    public int openConnections() {
        return limiter.open();
    }

    /** Client connections open now on each event loop, as the loop balance counts them. */
    public int[] openConnectionsPerLoop() {
        return balance.openPerLoop();
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops accepting, lets in-flight requests and upgraded connections finish for up to
     * {@code timeout} (kept-alive connections are closed after their current response, idle ones at
     * once), then closes everything. A process started on the same port (SO_REUSEPORT) takes over
     * the new connections meanwhile.
     */
    public void shutdownGracefully(Duration timeout) {
        // a second signal (Ctrl-C reaches the whole process group, a script's clean-up sends
        // SIGTERM after it) leaves the drain under way alone
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        for (Channel ch : sockets) {
            ch.close().awaitUninterruptibly();
        }
        drain.start();
        List<Channel> open = limiter.openChannels(LOOP_ANSWER_MILLIS);
        LOG.info("draining {} connection(s) for up to {} s", open.size(), timeout.toSeconds());
        for (Channel ch : open) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(Drain.EVENT));
        }
        if (!awaitClosed(open, timeout.toMillis())) {
            LOG.warn("drain timeout: closing {} connection(s) still open", limiter.open());
        }
        close();
    }

    /** Whether every channel closed within {@code timeoutMillis} (all of them together). */
    private static boolean awaitClosed(List<Channel> channels, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Channel ch : channels) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** Stops listening, closes every connection and the Redis client. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            // closed by another thread (a drain, the shutdown hook): return once it is done
            try {
                closed.await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            for (Channel ch : sockets) {
                ch.close().awaitUninterruptibly(5_000);
            }
            List<Channel> open = limiter.openChannels(LOOP_ANSWER_MILLIS);
            open.forEach(Channel::close);
            awaitClosed(open, 5_000);
            // every wait here is bounded: an event loop whose teardown failed (seen with an invalid
            // io_uring channel option) left the group's termination pending, and the process, for ever
            if (!group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10_000)) {
                LOG.warn("event loops still running 10 s after the stop; exiting anyway");
            }
            if (admin != null) {
                admin.close();
            }
            if (tls != null) {
                tls.close();
            }
            pools.close();
            routes.close();
            metrics.close();
        } finally {
            // whatever failed above, the process must not wait for ever in awaitClose
            closed.countDown();
        }
    }

    /** The version from the jar's manifest ("dev" when run from classes). */
    public static String version() {
        String v = ProxyServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
