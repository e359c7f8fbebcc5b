package dev.portier.proxy;

import ch.qos.logback.classic.Level;
import dev.portier.proxy.config.ConfigException;
import dev.portier.proxy.config.LoadedSettings;
import dev.portier.proxy.config.ProxyOptions;
import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.config.SettingsLoader;
import dev.portier.proxy.config.SettingsReport;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code portier-proxy} command: loads the settings, then runs the proxy until it is stopped. */
@Command(name = "portier-proxy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Hipache-compatible HTTP reverse proxy: routes each request by its Host header to the "
                + "backends listed in Redis under frontend:<host>.",
        footer = {"", "Precedence, lowest first: built-in defaults, the config file, environment variables, flags.",
                "Exit status: 0 stopped normally (or --dry found the settings valid), 1 could not start, "
                        + "2 bad configuration or usage."})
public final class Main implements Callable<Integer> {

    /** Exit status for a configuration the proxy refuses (the same as picocli's usage errors). */
    public static final int EXIT_BAD_CONFIG = 2;
    /** Exit status when the settings are valid but the proxy cannot start (e.g. the port is taken). */
    public static final int EXIT_START_FAILED = 1;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** The settings flags, mixed in at {@link #run} as the settings table adds some of them. */
    private final ProxyOptions options = new ProxyOptions();

    @Option(names = "--dry", order = 1000, description = "Validate the configuration, print the effective settings and exit.")
    private boolean dry;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;

    private Main(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Netty re-checks a buffer's reference count and bounds on every access. Tests run with
        // both checks (they never come through here); the running proxy skips them. Read once when
        // Netty's buffer classes load, so this must come before anything touches a ByteBuf.
        // -Dio.netty.buffer.checkAccessible=true (or checkBounds) turns a check back on.
        defaultProperty("io.netty.buffer.checkAccessible", "false");
        defaultProperty("io.netty.buffer.checkBounds", "false");
        // Netty adds every pooled buffer's size to its chunk's pinned-memory count when the buffer
        // is handed out and takes it off when released: a LongAdder update for each of the handful
        // of buffers a request takes. Nothing here reads that count
        // (PooledByteBufAllocatorMetric.pinnedDirectMemory); =true turns it back on.
        defaultProperty("io.netty.trackPinnedMemory", "false");
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Runs the command and returns its exit status; never exits the JVM, so tests can call it. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Main main = new Main(env, out, err);
        CommandLine cl = new CommandLine(main);
        cl.getCommandSpec().addMixin("settings", main.options.spec());
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() throws InterruptedException {
        LoadedSettings loaded;
        try {
            loaded = SettingsLoader.load(options, env);
        } catch (ConfigException e) {
            err.println("portier-proxy: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        if (dry) {
            loaded.warnings().forEach(w -> err.println("warning: " + w));
            loaded.ignored().forEach(i -> err.println("note: " + i));
            out.print(SettingsReport.describe(loaded));
            return 0;
        }
        ProxySettings settings = loaded.settings();
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // sampling leak records costs a stack trace per 128 buffers; tests keep it on,
            // -Dio.netty.leakDetection.level=simple turns it back on in production
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        if (settings.logs().debug()) {
            verboseLogging();
        }
        log.info("portier-proxy {} starting (config file: {})", ProxyServer.version(),
                loaded.configFile() == null ? "none" : loaded.configFile());
        loaded.warnings().forEach(w -> log.warn("{}", w));
        loaded.ignored().forEach(i -> log.info("{}", i));

        ProxyServer server;
        try {
            server = ProxyServer.start(settings);
        } catch (RuntimeException e) {
            log.error("cannot start: {}", e.toString(), e);
            return EXIT_START_FAILED;
        }
        stopGracefullyOnSignal(server, settings.timeouts().drain());
        // a stop by any other way (System.exit, SIGHUP) still releases ports and connections
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "portier-shutdown"));
        // ProxyServer logs each listener with the address it really bound (port 0 included)
        log.info("ready: routes from {}, dead marks to {}; {} workers, balancing {}",
                settings.redis().read(), settings.redis().write(), settings.listeners().workers(),
                SettingsReport.format(settings.backends().balancing()));
        server.awaitClose();
        log.info("stopped");
        // the async log appenders hold lines in memory: write them out before the JVM goes
        ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        return 0;
    }

    /**
     * SIGTERM and SIGINT drain instead of killing: in-flight requests finish, the process exits 0.
     * A JVM shutdown hook cannot do this, as the JVM then exits with 143 whatever the hook does.
     */
    private static void stopGracefullyOnSignal(ProxyServer server, java.time.Duration drainTimeout) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    log.info("SIG{} received: draining", name);
                    new Thread(() -> server.shutdownGracefully(drainTimeout), "portier-drain").start();
                });
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }

    private static void verboseLogging() {
        if (LoggerFactory.getLogger("dev.portier") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(Level.DEBUG);
        }
    }

    /** The version from the jar's manifest, the same one the x-debug headers report. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            return new String[] {"portier-proxy " + ProxyServer.version()};
        }
    }
}
