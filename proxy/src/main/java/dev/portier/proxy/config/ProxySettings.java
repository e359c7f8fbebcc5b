package dev.portier.proxy.config;

import dev.portier.common.RedisDriverUrl;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the proxy is told at start, built once from the JSON config file, environment
 * variables and flags (in that order of precedence, lowest first), validated, then passed down.
 *
 * @param listen            public HTTP listeners ({@code http.port} + {@code http.bind})
 * @param readRedis         where routes are read ({@code driver}, or the first of an array)
 * @param writeRedis        where dead marks are written (the last of a {@code driver} array)
 * @param workers           event-loop threads ({@code server.workers}; default: number of cores)
 * @param maxConnections    open client connections accepted before new ones are refused
 *                          ({@code server.maxConnections}, default 10000)
 * @param backendTimeout    a backend silent for this long gets a 504 ({@code server.tcpTimeout}, s, default 30;
 *                          zero disables it, as in Hipache)
 * @param connectTimeout    backend connect timeout ({@code server.connectTimeout}, ms, default 5000)
 * @param clientIdleTimeout a kept-alive client connection idle this long is closed
 *                          ({@code server.clientIdleTimeout}, s, default 60; zero disables it)
 * @param upgradeIdleTimeout a WebSocket/Upgrade tunnel idle this long is closed
 *                          ({@code server.upgradeIdleTimeout}, s, default 300; zero disables it)
 * @param deadBackendTtl    how long a dead mark lasts ({@code server.deadBackendTTL}, s, default 30)
 * @param retryOnError      retries on another backend after a failure ({@code server.retryOnError}, default 3)
 * @param deadBackendOn500  whether a 500 marks a backend dead ({@code server.deadBackendOn500}, default false)
 * @param httpKeepAlive     keep client connections alive ({@code server.httpKeepAlive}, default true)
 * @param balancing         backend choice ({@code server.balancing}: first, random, roundrobin; default first)
 * @param staticDir         directory whose {@code error_<code>.html} override the built-in pages
 *                          ({@code server.staticDir}, default none)
 * @param refreshInterval   full route refresh period, the fallback to keyspace notifications
 *                          ({@code server.refreshInterval}, ms, default 1000)
 * @param maxHeaderSize     largest request header block ({@code server.maxHeaderSize}, bytes, default 65536)
 * @param poolIdlePerBackend idle keep-alive connections kept per backend and event loop
 *                          ({@code server.poolIdlePerBackend}, default 1024: enough that a burst does not close connections it will reopen)
 * @param debug             verbose logging ({@code server.debug})
 * @param accessLog         where the access log goes ({@code server.accessLog}, default none; written by a later issue)
 * @param drainTimeout      on SIGTERM, how long in-flight requests and tunnels may take to finish
 *                          ({@code server.drainTimeout}, s, default 30)
 * @param logDir            per-day access and proxy log files go here ({@code server.logDir}, env LOG_DIR,
 *                          {@code --log-dir}; default: the directory of {@code server.accessLog}, else none)
 * @param adminPort         admin listener port for /healthz, /metrics, /routes ({@code server.adminPort},
 *                          env ADMIN_PORT, {@code --admin-port}; default 9180; 0 any free port; -1 off)
 * @param adminBind         admin listener address ({@code server.adminBind}, env ADMIN_BIND, {@code --admin-bind};
 *                          default 127.0.0.1)
 * @param statsdHost        StatsD agent to push metrics to ({@code server.statsdHost}, env STATSD_HOST,
 *                          {@code --statsd-host}; default none)
 * @param statsdPort        its UDP port ({@code server.statsdPort}, env STATSD_PORT, {@code --statsd-port}; default 8125)
 * @param statsdFlavor      datadog, etsy or telegraf ({@code server.statsdFlavor}, env STATSD_FLAVOR,
 *                          {@code --statsd-flavor}; default datadog)
 * @param httpsListen       HTTPS listeners ({@code https.port}, default 443, and {@code https.bind}); empty: none
 * @param tlsCertificates   certificates for HTTPS, the first the default ({@code https.cert}/{@code https.key},
 *                          then {@code https.certificates})
 */
public record ProxySettings(
        List<InetSocketAddress> listen,
        RedisDriverUrl readRedis,
        RedisDriverUrl writeRedis,
        int workers,
        int maxConnections,
        Duration backendTimeout,
        Duration connectTimeout,
        Duration clientIdleTimeout,
        Duration upgradeIdleTimeout,
        Duration deadBackendTtl,
        int retryOnError,
        boolean deadBackendOn500,
        boolean httpKeepAlive,
        Balancing balancing,
        Path staticDir,
        Duration refreshInterval,
        int maxHeaderSize,
        int poolIdlePerBackend,
        boolean debug,
        Path accessLog,
        Duration drainTimeout,
        Path logDir,
        int adminPort,
        String adminBind,
        String statsdHost,
        int statsdPort,
        String statsdFlavor,
        List<InetSocketAddress> httpsListen,
        List<TlsCertificate> tlsCertificates,
        Duration headerTimeout,
        Duration bodyTimeout) {

    public ProxySettings {
        listen = List.copyOf(listen);
        httpsListen = List.copyOf(httpsListen);
        tlsCertificates = List.copyOf(tlsCertificates);
        Objects.requireNonNull(readRedis, "readRedis");
        Objects.requireNonNull(writeRedis, "writeRedis");
        Objects.requireNonNull(balancing, "balancing");
    }

    /** Defaults for one listener and one Redis, without an admin listener (the command line turns it on). */
    public static ProxySettings defaults(InetSocketAddress listen, RedisDriverUrl redis) {
        return new ProxySettings(List.of(listen), redis, redis,
                Runtime.getRuntime().availableProcessors(), 10_000,
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(300),
                Duration.ofSeconds(30), 3, false, true, Balancing.FIRST, null,
                Duration.ofMillis(1000), 65_536, 1024, false, null, Duration.ofSeconds(30),
                null, -1, "127.0.0.1", null, 8125, "datadog", List.of(), List.of(),
                Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** Where log files go: {@code logDir}, else the directory of Hipache's {@code accessLog} file; null for none. */
    public Path effectiveLogDir() {
        return logDir != null ? logDir : accessLog != null ? accessLog.toAbsolutePath().getParent() : null;
    }

    /** A copy with the named changes, for tests and flag overrides. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable twin used while settings are assembled; {@link SettingsLoader} validates what it puts in. */
    public static final class Builder {
        public List<InetSocketAddress> listen;
        public RedisDriverUrl readRedis;
        public RedisDriverUrl writeRedis;
        public int workers;
        public int maxConnections;
        public Duration backendTimeout;
        public Duration connectTimeout;
        public Duration clientIdleTimeout;
        public Duration upgradeIdleTimeout;
        public Duration deadBackendTtl;
        public int retryOnError;
        public boolean deadBackendOn500;
        public boolean httpKeepAlive;
        public Balancing balancing;
        public Path staticDir;
        public Duration refreshInterval;
        public int maxHeaderSize;
        public int poolIdlePerBackend;
        public boolean debug;
        public Path accessLog;
        public Duration drainTimeout;
        public Path logDir;
        public int adminPort;
        public String adminBind;
        public String statsdHost;
        public int statsdPort;
        public String statsdFlavor;
        public List<InetSocketAddress> httpsListen;
        public List<TlsCertificate> tlsCertificates;
        public Duration headerTimeout;
        public Duration bodyTimeout;

        Builder(ProxySettings s) {
            listen = s.listen;
            readRedis = s.readRedis;
            writeRedis = s.writeRedis;
            workers = s.workers;
            maxConnections = s.maxConnections;
            backendTimeout = s.backendTimeout;
            connectTimeout = s.connectTimeout;
            clientIdleTimeout = s.clientIdleTimeout;
            upgradeIdleTimeout = s.upgradeIdleTimeout;
            deadBackendTtl = s.deadBackendTtl;
            retryOnError = s.retryOnError;
            deadBackendOn500 = s.deadBackendOn500;
            httpKeepAlive = s.httpKeepAlive;
            balancing = s.balancing;
            staticDir = s.staticDir;
            refreshInterval = s.refreshInterval;
            maxHeaderSize = s.maxHeaderSize;
            poolIdlePerBackend = s.poolIdlePerBackend;
            debug = s.debug;
            accessLog = s.accessLog;
            drainTimeout = s.drainTimeout;
            logDir = s.logDir;
            adminPort = s.adminPort;
            adminBind = s.adminBind;
            statsdHost = s.statsdHost;
            statsdPort = s.statsdPort;
            statsdFlavor = s.statsdFlavor;
            httpsListen = s.httpsListen;
            tlsCertificates = s.tlsCertificates;
            headerTimeout = s.headerTimeout;
            bodyTimeout = s.bodyTimeout;
        }

        public Builder redis(RedisDriverUrl url) {
            readRedis = url;
            writeRedis = url;
            return this;
        }

        public ProxySettings build() {
            return new ProxySettings(listen, readRedis, writeRedis, workers, maxConnections, backendTimeout,
                    connectTimeout, clientIdleTimeout, upgradeIdleTimeout, deadBackendTtl, retryOnError,
                    deadBackendOn500, httpKeepAlive, balancing, staticDir, refreshInterval, maxHeaderSize,
                    poolIdlePerBackend, debug, accessLog, drainTimeout, logDir, adminPort, adminBind, statsdHost,
                    statsdPort, statsdFlavor, httpsListen, tlsCertificates, headerTimeout, bodyTimeout);
        }
    }
}
