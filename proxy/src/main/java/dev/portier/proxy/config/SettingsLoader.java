package dev.portier.proxy.config;

import static dev.portier.proxy.config.ConfigValues.text;

import dev.portier.common.RedisDriverUrl;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the proxy's settings from, lowest precedence first: built-in defaults, the config file,
 * environment variables, flags. Starts nothing, so every rule is testable on its own.
 */
public final class SettingsLoader {

    public static final String ENV_CONFIG = "PORTIER_CONFIG";
    public static final String ENV_REDIS_URL = "REDIS_URL";
    public static final String ENV_PORT = "PORT";
    public static final String ENV_BIND = "BIND";
    public static final String ENV_WORKERS = "PORTIER_WORKERS";
    public static final String ENV_BALANCING = "PORTIER_BALANCING";
    public static final String ENV_STATIC_DIR = "PORTIER_STATIC_DIR";
    public static final String ENV_LOG_DIR = "LOG_DIR";
    /** The admin listener's port when nothing names one (on 127.0.0.1). */
    public static final int DEFAULT_ADMIN_PORT = 9180;
    public static final String ENV_ADMIN_PORT = "ADMIN_PORT";
    public static final String ENV_ADMIN_BIND = "ADMIN_BIND";
    public static final String ENV_STATSD_HOST = "STATSD_HOST";
    public static final String ENV_STATSD_PORT = "STATSD_PORT";
    public static final String ENV_STATSD_FLAVOR = "STATSD_FLAVOR";

    private SettingsLoader() {
    }

    /** Port 80 on every IPv4 interface, routes from the local Redis, the rest as ProxySettings documents. */
    public static ProxySettings defaults() {
        ProxySettings.Builder b = ProxySettings.defaults(new InetSocketAddress("0.0.0.0", SettingsDraft.DEFAULT_PORT),
                RedisDriverUrl.parse("redis://127.0.0.1:6379")).toBuilder();
        b.adminPort = DEFAULT_ADMIN_PORT;
        return b.build();
    }

    /**
     * Loads and validates everything; throws {@link ConfigException} naming the key, variable or flag
     * and the bad value. The environment is a parameter so that tests can pass their own.
     */
    public static LoadedSettings load(ProxyOptions flags, Map<String, String> env) {
        Notices notices = new Notices();
        SettingsDraft draft = new SettingsDraft(defaults(), notices);

        Path configFile = flags.config;
        if (configFile == null) {
            String fromEnv = get(env, ENV_CONFIG);
            configFile = fromEnv == null ? null : path(ENV_CONFIG, fromEnv);
        }
        if (configFile != null) {
            ConfigFile.apply(configFile, draft);
        }
        applyEnvironment(env, draft);
        applyFlags(flags, draft);
        return new LoadedSettings(draft.build(), configFile, notices.warnings, notices.ignored);
    }

    private static void applyEnvironment(Map<String, String> env, SettingsDraft d) {
        String v;
        if ((v = get(env, ENV_REDIS_URL)) != null) {
            d.settings.redis(ConfigValues.driver(ENV_REDIS_URL, text(v)));
        }
        if ((v = get(env, ENV_PORT)) != null) {
            d.portOverride = ConfigValues.port(ENV_PORT, text(v));
        }
        if ((v = get(env, ENV_BIND)) != null) {
            d.binds = addresses(ENV_BIND, List.of(v.split(",")));
        }
        if ((v = get(env, ENV_WORKERS)) != null) {
            d.settings.workers = ConfigValues.workers(ENV_WORKERS, text(v));
        }
        if ((v = get(env, ENV_BALANCING)) != null) {
            d.settings.balancing = ConfigValues.balancing(ENV_BALANCING, text(v));
        }
        if ((v = get(env, ENV_STATIC_DIR)) != null) {
            d.staticDir(path(ENV_STATIC_DIR, v), ENV_STATIC_DIR);
        }
        if ((v = get(env, ENV_LOG_DIR)) != null) {
            d.settings.logDir = path(ENV_LOG_DIR, v);
        }
        if ((v = get(env, ENV_ADMIN_PORT)) != null) {
            d.settings.adminPort = ConfigValues.adminPort(ENV_ADMIN_PORT, text(v));
        }
        if ((v = get(env, ENV_STATSD_HOST)) != null) {
            d.settings.statsdHost = v.trim();
        }
        if ((v = get(env, ENV_ADMIN_BIND)) != null) {
            d.settings.adminBind = v.trim();
        }
        if ((v = get(env, ENV_STATSD_PORT)) != null) {
            d.settings.statsdPort = ConfigValues.port(ENV_STATSD_PORT, text(v));
        }
        if ((v = get(env, ENV_STATSD_FLAVOR)) != null) {
            d.settings.statsdFlavor = ConfigValues.statsdFlavor(ENV_STATSD_FLAVOR, text(v));
        }
    }

    private static void applyFlags(ProxyOptions f, SettingsDraft d) {
        if (!f.redis.isEmpty()) {
            RedisDriverUrl first = ConfigValues.driver("--redis", text(f.redis.get(0)));
            RedisDriverUrl last = first;
            for (int i = 1; i < f.redis.size(); i++) {
                last = ConfigValues.driver("--redis", text(f.redis.get(i)));
            }
            d.settings.readRedis = first;
            d.settings.writeRedis = last;
        }
        if (f.port != null) {
            d.portOverride = ConfigValues.port("--port", text(f.port));
        }
        if (!f.bind.isEmpty()) {
            d.binds = addresses("--bind", f.bind);
        }
        if (f.workers != null) {
            d.settings.workers = ConfigValues.workers("--workers", text(f.workers));
        }
        if (f.balancing != null) {
            d.settings.balancing = ConfigValues.balancing("--balancing", text(f.balancing));
        }
        if (f.staticDir != null) {
            d.staticDir(path("--static-dir", f.staticDir), "--static-dir");
        }
        if (f.logDir != null) {
            d.settings.logDir = path("--log-dir", f.logDir);
        }
        if (f.adminPort != null) {
            d.settings.adminPort = ConfigValues.adminPort("--admin-port", text(f.adminPort));
        }
        if (f.adminBind != null) {
            d.settings.adminBind = ConfigValues.string("--admin-bind", text(f.adminBind));
        }
        if (f.statsdHost != null) {
            d.settings.statsdHost = ConfigValues.string("--statsd-host", text(f.statsdHost));
        }
        if (f.statsdPort != null) {
            d.settings.statsdPort = ConfigValues.port("--statsd-port", text(f.statsdPort));
        }
        if (f.statsdFlavor != null) {
            d.settings.statsdFlavor = ConfigValues.statsdFlavor("--statsd-flavor", text(f.statsdFlavor));
        }
        if (f.debug) {
            d.settings.debug = true;
        }
    }

    private static List<SettingsDraft.BindAddress> addresses(String name, List<String> values) {
        List<SettingsDraft.BindAddress> out = new ArrayList<>();
        for (String value : values) {
            if (!value.isBlank()) {
                out.add(new SettingsDraft.BindAddress(value.trim(), null, name));
            }
        }
        if (out.isEmpty()) {
            throw ConfigValues.bad(name, "at least one address", text(String.join(",", values)));
        }
        return out;
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ConfigValues.bad(name, "a file system path", text(value));
        }
    }

    /** A variable set to nothing counts as unset, as {@code docker run -e PORT=} usually means. */
    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
