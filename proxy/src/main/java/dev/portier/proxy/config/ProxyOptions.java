package dev.portier.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The settings flags, highest in precedence. Values stay strings so that {@link SettingsLoader}
 * validates them the same way as the file and the environment, naming the flag.
 */
public final class ProxyOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Hipache JSON config file (env PORTIER_CONFIG).")
    Path config;

    @Option(names = "--port", paramLabel = "N",
            description = "Port of every HTTP listener, 0 for any free one (env PORT; file http.port; default 80).")
    String port;

    @Option(names = "--bind", paramLabel = "ADDR", split = ",",
            description = "Address to listen on; repeat or separate with commas (env BIND; file http.bind; "
                    + "default 0.0.0.0).")
    List<String> bind = new ArrayList<>();

    @Option(names = "--redis", paramLabel = "URL",
            description = "Redis driver URL redis://:password@host:port/db#prefix; given twice, routes are read "
                    + "from the first and dead marks written to the last (env REDIS_URL; file driver; "
                    + "default redis://127.0.0.1:6379).")
    List<String> redis = new ArrayList<>();

    @Option(names = "--workers", paramLabel = "N",
            description = "Event-loop threads (env PORTIER_WORKERS; file server.workers; default: one per core).")
    String workers;

    @Option(names = "--balancing", paramLabel = "first|random|roundrobin",
            description = "Backend choice (env PORTIER_BALANCING; file server.balancing; default first).")
    String balancing;

    @Option(names = "--static-dir", paramLabel = "DIR",
            description = "Directory whose error_<code>.html override the built-in error pages "
                    + "(env PORTIER_STATIC_DIR; file server.staticDir).")
    String staticDir;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "Directory for the per-day access and proxy logs (env LOG_DIR; file server.logDir).")
    String logDir;

    @Option(names = "--admin-port", paramLabel = "N",
            description = "Admin listener (/healthz, /metrics, /routes) port on 127.0.0.1, 0 any, -1 off "
                    + "(env ADMIN_PORT; file server.adminPort; default 9180).")
    String adminPort;

    @Option(names = "--admin-bind", paramLabel = "ADDR",
            description = "Admin listener address (env ADMIN_BIND; file server.adminBind; default 127.0.0.1).")
    String adminBind;

    @Option(names = "--statsd-host", paramLabel = "HOST",
            description = "StatsD agent to push metrics to (env STATSD_HOST; file server.statsdHost; default none).")
    String statsdHost;

    @Option(names = "--statsd-port", paramLabel = "N",
            description = "StatsD agent's UDP port (env STATSD_PORT; file server.statsdPort; default 8125).")
    String statsdPort;

    @Option(names = "--statsd-flavor", paramLabel = "datadog|etsy|telegraf",
            description = "StatsD line format (env STATSD_FLAVOR; file server.statsdFlavor; default datadog).")
    String statsdFlavor;

    @Option(names = "--debug", description = "Verbose logging (file server.debug).")
    boolean debug;

    /** Options parsed from flags alone, for tests and tools that do not go through Main. */
    public static ProxyOptions parse(String... args) {
        return CommandLine.populateCommand(new ProxyOptions(), args);
    }
}
