package dev.portier.proxy.config;

import static dev.portier.proxy.config.ConfigValues.absent;
import static dev.portier.proxy.config.ConfigValues.bad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portier.common.RedisDriverUrl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What Hipache configs hold that the current layout does not: 0.3.1's listeners, HTTPS section and
 * {@code redis*} keys (read, with a warning saying where they belong now), and keys that mean
 * nothing here (accepted and listed as ignored, so that a migrated config loads as it is).
 */
final class LegacyLayout {

    /** Keys under {@code server} read here rather than through the settings table. */
    static final Set<String> SERVER_KEYS = Set.of("port", "address", "address6", "https", "lruCache", "maxSockets");
    /** Top-level keys read here. */
    static final Set<String> TOP_KEYS = Set.of("user", "group", "redisHost", "redisPort", "redisDatabase", "redisPassword");
    private static final List<String> REDIS = List.of("redisHost", "redisPort", "redisDatabase", "redisPassword");

    private LegacyLayout() {
    }

    /** The {@code server} keys without a meaning here, in the file's order, and behaviour a migration changes. */
    static void server(JsonNode server, SettingsDraft d) {
        server.fieldNames().forEachRemaining(key -> {
            String name = "server." + key;
            switch (key) {
                case "lruCache" -> d.notices.ignore(name + ": ignored; routes are kept in memory and refreshed "
                        + "by Redis notifications, there is no per-request cache to size");
                case "maxSockets" -> d.notices.ignore(name + ": ignored; backend connections are pooled per "
                        + "event loop (see server.poolIdlePerBackend)");
                case "deadBackendOn500" -> {
                    if (Boolean.TRUE.equals(d.get("backends.deadOn500"))) {
                        // Hipache's own example sets it, yet 0.3+ never honoured it: a migrated config changes behaviour here
                        d.notices.warn(name + ": true, so a backend answering 500 is marked dead "
                                + "(Hipache 0.3 and later ignored this key)");
                    }
                }
                default -> {
                    // read through the settings table, or as 0.3.1 listeners below
                }
            }
        });
    }

    /** 0.3.1's {@code server.port}/{@code server.address(6)}, read when {@code http.port}/{@code http.bind} are absent. */
    static void listeners(JsonNode server, JsonNode http, SettingsDraft d) {
        Notices n = d.notices;
        JsonNode port = http == null ? null : http.get("port");
        JsonNode oldPort = server == null ? null : server.get("port");
        if (!absent(oldPort)) {
            if (!absent(port)) {
                n.warn("server.port: Hipache 0.3.1 layout, ignored because http.port is set");
            } else {
                d.httpPort = ConfigValues.port("server.port", oldPort);
                n.warn("server.port: Hipache 0.3.1 layout, read as http.port");
            }
        }

        List<String> oldKeys = new ArrayList<>();
        List<SettingsDraft.BindAddress> oldBinds = new ArrayList<>();
        for (String key : List.of("address", "address6")) {
            JsonNode v = server == null ? null : server.get(key);
            if (!absent(v)) {
                oldKeys.add("server." + key);
                oldBinds.addAll(addresses("server." + key, v));
            }
        }
        if (oldKeys.isEmpty()) {
            return;
        }
        JsonNode bind = http == null ? null : http.get("bind");
        if (!absent(bind)) {
            n.warn(String.join(", ", oldKeys) + ": Hipache 0.3.1 layout, ignored because http.bind is set");
        } else {
            d.binds = oldBinds;
            n.warn(String.join(", ", oldKeys) + ": Hipache 0.3.1 layout, read as http.bind");
        }
    }

    /** 0.3.1's {@code server.address}: a string or an array of strings. */
    private static List<SettingsDraft.BindAddress> addresses(String name, JsonNode v) {
        List<SettingsDraft.BindAddress> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(new SettingsDraft.BindAddress(v.textValue().trim(), null, name));
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual()) {
                    throw bad(name + "[" + i + "]", "an address", e);
                }
                out.add(new SettingsDraft.BindAddress(e.textValue().trim(), null, name + "[" + i + "]"));
            }
        } else {
            throw bad(name, "an address or an array of addresses", v);
        }
        return out;
    }

    /** 0.3.1's {@code server.https}, read as {@code https}. */
    static void https(JsonNode server, Path base, SettingsDraft d) {
        JsonNode https = server == null ? null : ConfigFile.object("server.https", server.get("https"));
        if (https != null) {
            d.notices.warn("server.https: Hipache 0.3.1 layout, read as https");
            HttpsSection.apply("server.https", https, base, d);
        }
    }

    /** The old {@code redisHost}/{@code redisPort}/{@code redisDatabase}/{@code redisPassword}, unless {@code driver} is set. */
    static void redis(JsonNode root, boolean driverSet, SettingsDraft d) {
        List<String> legacy = new ArrayList<>();
        root.fieldNames().forEachRemaining(k -> {
            if (REDIS.contains(k) && !absent(root.get(k))) {
                legacy.add(k);
            }
        });
        if (legacy.isEmpty()) {
            return;
        }
        if (driverSet) {
            d.notices.warn(String.join(", ", legacy) + ": old Hipache keys, ignored because driver is set");
            return;
        }
        JsonNode host = root.get("redisHost");
        JsonNode port = root.get("redisPort");
        JsonNode db = root.get("redisDatabase");
        JsonNode password = root.get("redisPassword");
        String pw = absent(password) ? null : ConfigValues.secret("redisPassword", password);
        RedisDriverUrl url = new RedisDriverUrl(
                absent(host) ? "127.0.0.1" : ConfigValues.string("redisHost", host),
                absent(port) ? RedisDriverUrl.DEFAULT_PORT : ConfigValues.redisPort("redisPort", port),
                pw == null || pw.isEmpty() ? null : pw,
                absent(db) ? 0 : ConfigValues.nonNegative("redisDatabase", db),
                "");
        d.put("redis.read", url);
        d.put("redis.write", url);
        d.notices.warn(String.join(", ", legacy) + ": old Hipache keys, read as driver " + url
                + "; prefer \"driver\": \"redis://:password@host:port/db\"");
    }

    /** {@code user} and {@code group}: Hipache dropped root with them; we never run as root. */
    static void userAndGroup(JsonNode root, Notices n) {
        if (!absent(root.get("user")) || !absent(root.get("group"))) {
            n.warn("user, group: ignored; portier never switches user. Run it as a non-root user with "
                    + "CAP_NET_BIND_SERVICE to listen on port 80");
        }
    }
}
