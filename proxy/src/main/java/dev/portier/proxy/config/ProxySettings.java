package dev.portier.proxy.config;

import static dev.portier.proxy.config.Kind.ADDRESSES;
import static dev.portier.proxy.config.Kind.BALANCING;
import static dev.portier.proxy.config.Kind.BOOLEAN;
import static dev.portier.proxy.config.Kind.DIRECTORY;
import static dev.portier.proxy.config.Kind.NON_NEGATIVE;
import static dev.portier.proxy.config.Kind.OPTIONAL_PORT;
import static dev.portier.proxy.config.Kind.PATH;
import static dev.portier.proxy.config.Kind.PORT;
import static dev.portier.proxy.config.Kind.POSITIVE;
import static dev.portier.proxy.config.Kind.POSITIVE_MILLIS;
import static dev.portier.proxy.config.Kind.POSITIVE_SECONDS;
import static dev.portier.proxy.config.Kind.SECONDS;
import static dev.portier.proxy.config.Kind.TRANSPORT;
import static dev.portier.proxy.config.Kind.STATSD_FLAVOR;
import static dev.portier.proxy.config.Kind.STRING;
import static dev.portier.proxy.config.Kind.WORKERS;

import dev.portier.common.RedisDriverUrl;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the proxy is told at start, built once from the JSON config file, environment
 * variables and flags (in that order of precedence, lowest first), validated, then passed down.
 *
 * <p>The groups below are also the settings table: a value with a {@link Key} is read from its
 * config file key, environment variable and flag, defaults to its {@code fallback}, and is shown by
 * {@code --help} and {@code --dry}, with no other code to write. Values without one (listeners,
 * Redis URLs, HTTPS) are read by {@link ConfigFile} and {@link SettingsLoader} by hand.
 */
public record ProxySettings(Listeners listeners, Tls tls, Redis redis, Backends backends, Timeouts timeouts,
                            Pool pool, Admin admin, Statsd statsd, Logs logs, Pausing pausing) {

    public ProxySettings {
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(statsd, "statsd");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(pausing, "pausing");
    }

    /** The public HTTP listeners ({@code http.port} + {@code http.bind}) and what they accept from clients. */
    public record Listeners(
            List<InetSocketAddress> http,
            @Key(value = "server.workers", kind = WORKERS, fallback = "cores", env = "PORTIER_WORKERS", flag = "--workers",
                    about = "Event-loop threads") int workers,
            @Key(value = "server.transport", kind = TRANSPORT, fallback = "auto", env = "PORTIER_TRANSPORT",
                    flag = "--transport", about = "Socket I/O of the event loops: auto (io_uring, else epoll, else NIO), io_uring, epoll or nio") String transport,
            @Key(value = "server.maxConnections", kind = POSITIVE, fallback = "10000",
                    about = "Open client connections; past it: 503 and close") int maxConnections,
            @Key(value = "server.maxHeaderSize", kind = POSITIVE, fallback = "65536",
                    about = "Largest request header block in bytes; larger: 431") int maxHeaderSize,
            @Key(value = "server.httpKeepAlive", kind = BOOLEAN, fallback = "true",
                    about = "Keep client connections alive") boolean keepAlive,
            @Key(value = "server.staticDir", kind = DIRECTORY, fallback = "", env = "PORTIER_STATIC_DIR", flag = "--static-dir",
                    about = "Directory whose error_<code>.html override the built-in error pages") Path staticDir,
            @Key(value = "server.debugFrom", kind = ADDRESSES, fallback = "127.0.0.0/8, ::1/128",
                    about = "Clients (IP addresses, CIDR blocks) whose X-Debug requests are answered") AddressFilter debugFrom) {

        public Listeners {
            http = List.copyOf(http);
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(debugFrom, "debugFrom");
        }
    }

    /**
     * The HTTPS listeners ({@code https.port}, default 443, and {@code https.bind}; empty: none) and their
     * certificates, the first the default ({@code https.cert}/{@code https.key}, then {@code https.certificates}).
     */
    public record Tls(List<InetSocketAddress> listen, List<TlsCertificate> certificates) {

        public Tls {
            listen = List.copyOf(listen);
            certificates = List.copyOf(certificates);
        }
    }

    /** Where routes are read ({@code driver}, or the first of an array) and dead marks written (the last). */
    public record Redis(
            RedisDriverUrl read,
            RedisDriverUrl write,
            @Key(value = "server.refreshInterval", kind = POSITIVE_MILLIS, fallback = "1000",
                    about = "Full route refresh period, the fallback to keyspace notifications") Duration refreshInterval,
            @Key(value = "server.redisDegradedAfter", kind = POSITIVE_SECONDS, fallback = "5",
                    about = "/healthz says degraded when the last good Redis round trip is older") Duration degradedAfter) {

        public Redis {
            Objects.requireNonNull(read, "read");
            Objects.requireNonNull(write, "write");
        }
    }

    /** How a backend is chosen, and what a failing one costs it. */
    public record Backends(
            @Key(value = "server.balancing", kind = BALANCING, fallback = "roundrobin", env = "PORTIER_BALANCING", flag = "--balancing",
                    about = "Backend choice") Balancing balancing,
            @Key(value = "server.retryOnError", kind = NON_NEGATIVE, fallback = "3",
                    about = "Retries on another backend after a failure") int retryOnError,
            @Key(value = "server.deadBackendOn500", kind = BOOLEAN, fallback = "false",
                    about = "A 500 marks the backend dead") boolean deadOn500,
            @Key(value = "server.deadBackendTTL", kind = POSITIVE_SECONDS, fallback = "30",
                    about = "How long a dead mark lasts") Duration deadTtl) {

        public Backends {
            Objects.requireNonNull(balancing, "balancing");
        }
    }

    /** Every deadline; a zero one is disabled. */
    public record Timeouts(
            @Key(value = "server.tcpTimeout", kind = SECONDS, fallback = "30",
                    about = "A backend silent this long gets a 504 (0 disables it, as in Hipache)") Duration backend,
            @Key(value = "server.connectTimeout", kind = POSITIVE_MILLIS, fallback = "5000",
                    about = "Backend connect timeout") Duration connect,
            @Key(value = "server.clientIdleTimeout", kind = SECONDS, fallback = "60",
                    about = "A kept-alive client connection idle this long is closed") Duration clientIdle,
            @Key(value = "server.upgradeIdleTimeout", kind = SECONDS, fallback = "300",
                    about = "A WebSocket/Upgrade tunnel idle this long is closed") Duration upgradeIdle,
            @Key(value = "server.drainTimeout", kind = SECONDS, fallback = "30",
                    about = "On SIGTERM, how long in-flight requests and tunnels may take to finish") Duration drain,
            @Key(value = "server.headerTimeout", kind = SECONDS, fallback = "30", env = "HEADER_TIMEOUT",
                    about = "Deadline to receive a whole request head") Duration header,
            @Key(value = "server.bodyTimeout", kind = SECONDS, fallback = "60",
                    about = "Longest silence between request body bytes the proxy wants to read") Duration body) {
    }

    /** Backend keep-alive connections. */
    public record Pool(
            @Key(value = "server.poolIdlePerBackend", kind = NON_NEGATIVE, fallback = "1024",
                    about = "Idle connections kept per backend and event loop (a burst reuses what it opened)")
            int idlePerBackend) {
    }

    /** The admin listener: the status page, /healthz, /metrics, /routes, /stats. */
    public record Admin(
            @Key(value = "server.adminPort", kind = OPTIONAL_PORT, fallback = "9180", env = "ADMIN_PORT", flag = "--admin-port",
                    about = "Admin listener (status page, /healthz, /metrics, /routes, /stats) port, 0 any free one, -1 off") int port,
            @Key(value = "server.adminBind", kind = STRING, fallback = "127.0.0.1", env = "ADMIN_BIND", flag = "--admin-bind",
                    label = "ADDR", about = "Admin listener address") String bind,
            @Key(value = "server.adminMaxConnections", kind = POSITIVE, fallback = "256",
                    about = "Open admin connections; past it new ones are closed") int maxConnections,
            @Key(value = "server.adminIdleTimeout", kind = SECONDS, fallback = "60",
                    about = "An admin connection idle this long is closed") Duration idleTimeout) {
    }

    /** Metrics pushed to a StatsD agent; none without a host. */
    public record Statsd(
            @Key(value = "server.statsdHost", kind = STRING, fallback = "", env = "STATSD_HOST", flag = "--statsd-host",
                    about = "StatsD agent to push metrics to") String host,
            @Key(value = "server.statsdPort", kind = PORT, fallback = "8125", env = "STATSD_PORT", flag = "--statsd-port",
                    about = "StatsD agent's UDP port") int port,
            @Key(value = "server.statsdFlavor", kind = STATSD_FLAVOR, fallback = "datadog", env = "STATSD_FLAVOR",
                    flag = "--statsd-flavor", about = "StatsD line format") String flavor) {
    }

    /** The access and proxy logs. */
    public record Logs(
            @Key(value = "server.accessLog", kind = PATH, fallback = "",
                    about = "Hipache's access log file; its directory gets the per-day logs when logDir is unset")
            Path accessLog,
            @Key(value = "server.logDir", kind = PATH, fallback = "", env = "LOG_DIR", flag = "--log-dir", label = "DIR",
                    about = "Directory for the per-day access and proxy logs") Path dir,
            @Key(value = "server.debug", kind = BOOLEAN, fallback = "false", flag = "--debug",
                    about = "Verbose logging") boolean debug) {

        /** Where log files go: {@code dir}, else the directory of Hipache's {@code accessLog} file; null for none. */
        public Path effectiveDir() {
            return dir != null ? dir : accessLog != null ? accessLog.toAbsolutePath().getParent() : null;
        }
    }

    /** How requests of a paused frontend ({@code pause:<host>} in Redis) are held. */
    public record Pausing(
            @Key(value = "server.pauseMaxHold", kind = POSITIVE_SECONDS, fallback = "30",
                    about = "How long a request to a paused frontend is held before a 503 (unless pause:<host> says maxHold)")
            Duration maxHold,
            @Key(value = "server.pauseMaxRequests", kind = POSITIVE, fallback = "10000",
                    about = "Requests held per paused frontend; past it: 503") int maxRequests) {
    }

    /** Defaults for one listener and one Redis, without HTTPS nor an admin listener (the command line turns it on). */
    public static ProxySettings defaults(InetSocketAddress listen, RedisDriverUrl redis) {
        Map<String, Object> values = SettingsTable.defaults();
        values.put("listeners.http", List.of(listen));
        values.put("redis.read", redis);
        values.put("redis.write", redis);
        values.put("tls.listen", List.of());
        values.put("tls.certificates", List.of());
        values.put("admin.port", -1);
        return SettingsTable.build(values);
    }

    /**
     * A copy with one value changed, named by its path ({@code "timeouts.backend"} for
     * {@code timeouts().backend()}); a wrong path or type fails at once. For tests and tools.
     */
    public ProxySettings with(String path, Object value) {
        Map<String, Object> values = SettingsTable.values(this);
        SettingsTable.entry(path).checkType(value);
        values.put(path, value);
        return SettingsTable.build(values);
    }

    /** A copy reading routes and writing dead marks to {@code url}. */
    public ProxySettings withRedis(RedisDriverUrl url) {
        return with("redis.read", url).with("redis.write", url);
    }
}
