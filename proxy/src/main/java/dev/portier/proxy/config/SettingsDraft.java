package dev.portier.proxy.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings while they are assembled, layer over layer. Listeners and the static directory stay
 * unresolved until {@link #build}, so that a value a later layer replaces is never resolved or checked.
 */
final class SettingsDraft {

    /** The port when neither the file, the environment nor a flag names one. */
    static final int DEFAULT_PORT = 80;

    /** One address to listen on, as written; {@code port} null means "the common port". */
    record BindAddress(String host, Integer port, String source) {
    }

    final ProxySettings.Builder settings;
    final Notices notices;

    /** {@code http.port} (or 0.3.1's {@code server.port}). */
    Integer httpPort;
    /** Null: every interface. */
    List<BindAddress> binds;
    /** {@code PORT} / {@code --port}: replaces the port of every listener, per-address ones included. */
    Integer portOverride;
    /** Who set {@code settings.staticDir}, for the error when it is missing. */
    String staticDirSource;

    SettingsDraft(ProxySettings base, Notices notices) {
        this.settings = base.toBuilder();
        this.notices = notices;
    }

    ProxySettings build() {
        settings.listen = listeners();
        if (settings.staticDir != null && !Files.isDirectory(settings.staticDir)) {
            throw new ConfigException(staticDirSource + ": directory \"" + settings.staticDir + "\" "
                    + (Files.exists(settings.staticDir) ? "is not a directory" : "does not exist"));
        }
        return settings.build();
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
        if (staticDirSource != null) {
            staticDirSource = prefix + staticDirSource;
        }
    }

    /** The static directory, resolved, and who set it. */
    void staticDir(Path dir, String source) {
        settings.staticDir = dir;
        staticDirSource = source;
    }
}
