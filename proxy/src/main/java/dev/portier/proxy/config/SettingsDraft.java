package dev.portier.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings while they are assembled, layer over layer: the file, then the environment, then the
 * flags, each through {@link #set}. Listeners and what a {@link Kind} checks on the machine stay
 * unchecked until {@link #build}, so that a value a later layer replaces is never resolved or checked.
 */
final class SettingsDraft {

    /** The port when neither the file, the environment nor a flag names one. */
    static final int DEFAULT_PORT = 80;

    /** One address to listen on, as written; {@code port} null means "the common port". */
    record BindAddress(String host, Integer port, String source) {
    }

    final Notices notices;
    /** Every value by its path ({@code timeouts.backend}). */
    private final Map<String, Object> values;
    /** Who set a value (a key, variable or flag), for the errors of {@link #build}. */
    private final Map<String, String> sources = new HashMap<>();
    private final Map<String, Object> defaults = SettingsTable.defaults();

    /** {@code http.port} (or 0.3.1's {@code server.port}). */
    Integer httpPort;
    /** Null: every interface. */
    List<BindAddress> binds;
    /** {@code PORT} / {@code --port}: replaces the port of every listener, per-address ones included. */
    Integer portOverride;

    SettingsDraft(ProxySettings base, Notices notices) {
        this.values = SettingsTable.values(base);
        this.notices = notices;
    }

    /**
     * Reads {@code raw} as {@code entry}'s kind says, naming {@code name} (the key, variable or flag) if
     * it is bad; relative paths are resolved against {@code base}. An absent or null value means the default.
     */
    void set(SettingsTable.Entry entry, String name, JsonNode raw, Path base) {
        Object value = ConfigValues.absent(raw) ? defaults.get(entry.path())
                : entry.key().kind().read(name, raw, base);
        values.put(entry.path(), value);
        sources.put(entry.path(), name);
    }

    /** Sets a value read by hand (listeners, Redis, HTTPS). */
    void put(String path, Object value) {
        SettingsTable.entry(path).checkType(value);
        values.put(path, value);
    }

    Object get(String path) {
        return values.get(path);
    }

    ProxySettings build() {
        values.put("listeners.http", listeners());
        for (SettingsTable.Entry e : SettingsTable.keyed()) {
            e.key().kind().check(sources.getOrDefault(e.path(), e.fileKey()), values.get(e.path()));
        }
        return SettingsTable.build(values);
    }

    private List<InetSocketAddress> listeners() {
        List<BindAddress> list = binds != null ? binds : List.of(new BindAddress("0.0.0.0", null, "default"));
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (BindAddress b : list) {
            int port = portOverride != null ? portOverride
                    : b.port() != null ? b.port()
                    : httpPort != null ? httpPort
                    : DEFAULT_PORT;
            InetSocketAddress address = new InetSocketAddress(resolve(b), port);
            if (!out.add(address)) {
                notices.warn(b.source() + ": " + SettingsReport.address(address) + " is listed twice; listening once");
            }
        }
        return new ArrayList<>(out);
    }

    private static InetAddress resolve(BindAddress b) {
        String host = b.host();
        // Node's listen() takes "" as "every interface"; "*" is how nginx and HAProxy users write it
        if (host.isEmpty() || host.equals("*")) {
            host = "0.0.0.0";
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(b.source() + ": cannot resolve address \"" + b.host() + "\"");
        }
    }

    /**
     * Prefixes the source of every value checked only at {@link #build} and set so far, so that a
     * failure there still names the config file the value came from.
     */
    void attribute(String prefix) {
        if (binds != null) {
            binds = binds.stream().map(b -> new BindAddress(b.host(), b.port(), prefix + b.source())).toList();
        }
        sources.replaceAll((path, source) -> prefix + source);
    }
}
