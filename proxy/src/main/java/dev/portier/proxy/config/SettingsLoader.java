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
 * environment variables, flags. Starts nothing, so every rule is testable on its own. The values of
 * the settings table ({@link Key}) go through one path whatever the layer; listeners and Redis URLs
 * are read here by hand.
 */
public final class SettingsLoader {

    public static final String ENV_CONFIG = "PORTIER_CONFIG";
    public static final String ENV_REDIS_URL = "REDIS_URL";
    public static final String ENV_PORT = "PORT";
    public static final String ENV_BIND = "BIND";

    /** Relative paths from the environment and flags are resolved against the working directory. */
    private static final Path WORKING_DIRECTORY = Path.of("");

    private SettingsLoader() {
    }

    /** Port 80 on every IPv4 interface, routes from the local Redis, the admin listener on, the rest as the table says. */
    public static ProxySettings defaults() {
        return ProxySettings.defaults(new InetSocketAddress("0.0.0.0", SettingsDraft.DEFAULT_PORT),
                        RedisDriverUrl.parse("redis://127.0.0.1:6379"))
                .with("admin.port", SettingsTable.defaults().get("admin.port"));
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
            RedisDriverUrl url = ConfigValues.driver(ENV_REDIS_URL, text(v));
            d.put("redis.read", url);
            d.put("redis.write", url);
        }
        if ((v = get(env, ENV_PORT)) != null) {
            d.portOverride = ConfigValues.port(ENV_PORT, text(v));
        }
        if ((v = get(env, ENV_BIND)) != null) {
            d.binds = addresses(ENV_BIND, List.of(v.split(",")));
        }
        for (SettingsTable.Entry e : SettingsTable.keyed()) {
            String name = e.key().env();
            if (!name.isEmpty() && (v = get(env, name)) != null) {
                d.set(e, name, text(v), WORKING_DIRECTORY);
            }
        }
    }

    private static void applyFlags(ProxyOptions f, SettingsDraft d) {
        if (!f.redis.isEmpty()) {
            RedisDriverUrl first = ConfigValues.driver("--redis", text(f.redis.get(0)));
            RedisDriverUrl last = first;
            for (int i = 1; i < f.redis.size(); i++) {
                last = ConfigValues.driver("--redis", text(f.redis.get(i)));
            }
            d.put("redis.read", first);
            d.put("redis.write", last);
        }
        if (f.port != null) {
            d.portOverride = ConfigValues.port("--port", text(f.port));
        }
        if (!f.bind.isEmpty()) {
            d.binds = addresses("--bind", f.bind);
        }
        f.given.forEach((e, value) -> d.set(e, e.key().flag(), text(value), WORKING_DIRECTORY));
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
