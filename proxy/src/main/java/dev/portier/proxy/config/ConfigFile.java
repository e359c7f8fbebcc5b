package dev.portier.proxy.config;

import static dev.portier.proxy.config.ConfigValues.absent;
import static dev.portier.proxy.config.ConfigValues.bad;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.common.RedisDriverUrl;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Hipache's JSON config file, master layout and 0.3.1 layout, plus our own {@code server.*} keys,
 * applied over the defaults. Keys are checked, never silently dropped: an unknown key is a warning
 * (a typo must be visible), a Hipache key that means nothing here is listed as ignored.
 */
public final class ConfigFile {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Set<String> TOP = Set.of("server", "http", "https", "driver", "user", "group",
            "redisHost", "redisPort", "redisDatabase", "redisPassword");
    private static final Set<String> LEGACY_REDIS = Set.of("redisHost", "redisPort", "redisDatabase", "redisPassword");
    private static final Set<String> SERVER = Set.of(
            // Hipache master
            "debug", "workers", "maxSockets", "tcpTimeout", "deadBackendTTL", "retryOnError", "accessLog",
            "httpKeepAlive", "deadBackendOn500", "staticDir", "lruCache",
            // Hipache 0.3.1
            "port", "address", "address6", "https",
            // ours
            "balancing", "connectTimeout", "clientIdleTimeout", "upgradeIdleTimeout", "drainTimeout", "refreshInterval",
            "maxHeaderSize", "poolIdlePerBackend", "maxConnections", "logDir", "adminPort", "adminBind", "statsdHost",
            "statsdPort", "statsdFlavor");
    private static final Set<String> HTTP = Set.of("port", "bind");
    private static final Set<String> HTTPS = Set.of("port", "bind", "key", "cert", "ca", "passphrase", "ciphers", "certificates",
            "honorCipherOrder", "secureProtocol", "secureOptions");
    private static final Set<String> BIND = Set.of("address", "port");

    private ConfigFile() {
    }

    /** Parses the file; a syntax error names the file, line and column. */
    public static JsonNode read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": config file not readable (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(file + ": config file not readable (" + e + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String why = e.getOriginalMessage();
            int eol = why.indexOf('\n');
            throw new ConfigException(file + ": invalid JSON" + where + ": " + (eol < 0 ? why : why.substring(0, eol)));
        } catch (IOException e) {
            throw new ConfigException(file + ": config file not readable (" + e + ")");
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(file + ": empty, expected a JSON object");
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": expected a JSON object at the top, got " + root.getNodeType()
                    .name().toLowerCase(Locale.ROOT));
        }
        return root;
    }

    /** Reads and applies {@code file}; every error it causes, now or at build time, names the file. */
    static void apply(Path file, SettingsDraft draft) {
        JsonNode root = read(file);
        Path base = file.toAbsolutePath().getParent();
        try {
            apply(root, base, draft);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
        draft.attribute(file + ": ");
    }

    /** Applies a parsed config; relative paths in it are resolved against {@code base}. */
    static void apply(JsonNode root, Path base, SettingsDraft d) {
        Notices n = d.notices;
        checkKeys("", root, TOP, n);

        JsonNode server = object("server", root.get("server"));
        JsonNode http = object("http", root.get("http"));
        if (server != null) {
            checkKeys("server.", server, SERVER, n);
            applyServer(server, base, d);
        }
        if (http != null) {
            checkKeys("http.", http, HTTP, n);
        }
        applyListeners(server, http, d);

        JsonNode https = object("https", root.get("https"));
        if (https != null) {
            httpsSection("https", https, base, d);
        }
        JsonNode oldHttps = server == null ? null : object("server.https", server.get("https"));
        if (oldHttps != null) {
            n.warn("server.https: Hipache 0.3.1 layout, read as https");
            httpsSection("server.https", oldHttps, base, d);
        }

        applyRedis(root, d);

        if (!absent(root.get("user")) || !absent(root.get("group"))) {
            n.warn("user, group: ignored; portier never switches user. Run it as a non-root user with "
                    + "CAP_NET_BIND_SERVICE to listen on port 80");
        }
    }

    private static void applyServer(JsonNode server, Path base, SettingsDraft d) {
        ProxySettings.Builder b = d.settings;
        for (Map.Entry<String, JsonNode> field : server.properties()) {
            String name = "server." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "lruCache" -> d.notices.ignore(name + ": ignored; routes are kept in memory and refreshed "
                        + "by Redis notifications, there is no per-request cache to size");
                case "maxSockets" -> d.notices.ignore(name + ": ignored; backend connections are pooled per "
                        + "event loop (see server.poolIdlePerBackend)");
                default -> {
                    if (!absent(v)) {
                        applyServerKey(field.getKey(), name, v, base, d, b);
                    } else if (field.getKey().equals("staticDir")) {
                        d.staticDir(null, name);
                    } else if (field.getKey().equals("accessLog")) {
                        b.accessLog = null;
                    }
                }
            }
        }
    }

    private static void applyServerKey(String key, String name, JsonNode v, Path base, SettingsDraft d,
                                       ProxySettings.Builder b) {
        switch (key) {
            case "debug" -> b.debug = ConfigValues.bool(name, v);
            case "workers" -> b.workers = ConfigValues.workers(name, v);
            case "tcpTimeout" -> b.backendTimeout = ConfigValues.seconds(name, v);
            case "deadBackendTTL" -> b.deadBackendTtl = ConfigValues.positiveSeconds(name, v);
            case "retryOnError" -> b.retryOnError = ConfigValues.nonNegative(name, v);
            case "accessLog" -> b.accessLog = ConfigValues.path(name, v, base);
            case "httpKeepAlive" -> b.httpKeepAlive = ConfigValues.bool(name, v);
            case "deadBackendOn500" -> {
                b.deadBackendOn500 = ConfigValues.bool(name, v);
                if (b.deadBackendOn500) {
                    // Hipache's own example sets it, yet 0.3+ never honoured it: a migrated config changes behaviour here
                    d.notices.warn(name + ": true, so a backend answering 500 is marked dead "
                            + "(Hipache 0.3 and later ignored this key)");
                }
            }
            case "staticDir" -> d.staticDir(ConfigValues.path(name, v, base), name);
            case "balancing" -> b.balancing = ConfigValues.balancing(name, v);
            case "connectTimeout" -> b.connectTimeout = ConfigValues.positiveMillis(name, v);
            case "clientIdleTimeout" -> b.clientIdleTimeout = ConfigValues.seconds(name, v);
            case "upgradeIdleTimeout" -> b.upgradeIdleTimeout = ConfigValues.seconds(name, v);
            case "drainTimeout" -> b.drainTimeout = ConfigValues.seconds(name, v);
            case "refreshInterval" -> b.refreshInterval = ConfigValues.positiveMillis(name, v);
            case "maxHeaderSize" -> b.maxHeaderSize = ConfigValues.positive(name, v);
            case "poolIdlePerBackend" -> b.poolIdlePerBackend = ConfigValues.nonNegative(name, v);
            case "maxConnections" -> b.maxConnections = ConfigValues.positive(name, v);
            case "logDir" -> b.logDir = ConfigValues.path(name, v, base);
            case "adminPort" -> b.adminPort = ConfigValues.adminPort(name, v);
            case "adminBind" -> b.adminBind = ConfigValues.string(name, v);
            case "statsdHost" -> b.statsdHost = ConfigValues.string(name, v);
            case "statsdPort" -> b.statsdPort = ConfigValues.port(name, v);
            case "statsdFlavor" -> b.statsdFlavor = ConfigValues.statsdFlavor(name, v);
            default -> {
                // port, address, address6, https: the 0.3.1 layout, read with the listeners; unknown keys were warned about
            }
        }
    }

    /** {@code http.port}/{@code http.bind}, or 0.3.1's {@code server.port}/{@code server.address(6)} when they are absent. */
    private static void applyListeners(JsonNode server, JsonNode http, SettingsDraft d) {
        Notices n = d.notices;
        JsonNode port = http == null ? null : http.get("port");
        JsonNode oldPort = server == null ? null : server.get("port");
        if (!absent(port)) {
            d.httpPort = ConfigValues.port("http.port", port);
            if (!absent(oldPort)) {
                n.warn("server.port: Hipache 0.3.1 layout, ignored because http.port is set");
            }
        } else if (!absent(oldPort)) {
            d.httpPort = ConfigValues.port("server.port", oldPort);
            n.warn("server.port: Hipache 0.3.1 layout, read as http.port");
        }

        JsonNode bind = http == null ? null : http.get("bind");
        List<String> oldKeys = new ArrayList<>();
        List<SettingsDraft.BindAddress> oldBinds = new ArrayList<>();
        for (String key : List.of("address", "address6")) {
            JsonNode v = server == null ? null : server.get(key);
            if (!absent(v)) {
                oldKeys.add("server." + key);
                oldBinds.addAll(addresses("server." + key, v));
            }
        }
        if (!absent(bind)) {
            d.binds = binds("http.bind", bind, n);
            if (!oldKeys.isEmpty()) {
                n.warn(String.join(", ", oldKeys) + ": Hipache 0.3.1 layout, ignored because http.bind is set");
            }
        } else if (!oldKeys.isEmpty()) {
            d.binds = oldBinds;
            n.warn(String.join(", ", oldKeys) + ": Hipache 0.3.1 layout, read as http.bind");
        }
    }

    /** A string, an array of strings and {@code {address, port}} objects, or one such object. */
    private static List<SettingsDraft.BindAddress> binds(String name, JsonNode v, Notices n) {
        List<SettingsDraft.BindAddress> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(new SettingsDraft.BindAddress(v.textValue().trim(), null, name));
        } else if (v.isObject()) {
            out.add(bindObject(name, v, n));
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                String item = name + "[" + i + "]";
                JsonNode e = v.get(i);
                if (e.isTextual()) {
                    out.add(new SettingsDraft.BindAddress(e.textValue().trim(), null, item));
                } else if (e.isObject()) {
                    out.add(bindObject(item, e, n));
                } else {
                    throw bad(item, "an address or an {address, port} object", e);
                }
            }
        } else {
            throw bad(name, "an address, an array of addresses or of {address, port} objects", v);
        }
        if (out.isEmpty()) {
            throw bad(name, "at least one address", v);
        }
        return out;
    }

    private static SettingsDraft.BindAddress bindObject(String name, JsonNode v, Notices n) {
        checkKeys(name + ".", v, BIND, n);
        JsonNode address = v.get("address");
        if (absent(address)) {
            throw new ConfigException(name + ".address: missing");
        }
        if (!address.isTextual()) {
            throw bad(name + ".address", "an address", address);
        }
        JsonNode port = v.get("port");
        Integer p = absent(port) ? null : ConfigValues.port(name + ".port", port);
        return new SettingsDraft.BindAddress(address.textValue().trim(), p, name);
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

    /**
     * Hipache's {@code https} section: port (443), bind (an address or an array), cert + key
     * (+ passphrase) as the default certificate; ours: {@code certificates}, an array of
     * {@code {cert, key, passphrase, hosts}} chosen by SNI.
     */
    private static void httpsSection(String name, JsonNode https, Path base, SettingsDraft d) {
        Notices n = d.notices;
        checkKeys(name + ".", https, HTTPS, n);
        JsonNode port = https.get("port");
        int p = absent(port) ? 443 : ConfigValues.port(name + ".port", port);
        List<String> binds = new ArrayList<>();
        JsonNode bind = https.get("bind");
        if (absent(bind)) {
            binds.add("0.0.0.0");
        } else if (bind.isArray()) {
            bind.forEach(b -> binds.add(ConfigValues.string(name + ".bind", b)));
        } else {
            binds.add(ConfigValues.string(name + ".bind", bind));
        }
        if (binds.isEmpty()) {
            binds.add("0.0.0.0"); // Hipache's example has "bind": [], meaning every address
        }
        List<java.net.InetSocketAddress> listen = new ArrayList<>();
        for (String b : binds) {
            listen.add(new java.net.InetSocketAddress(b, p));
        }
        List<TlsCertificate> certs = new ArrayList<>();
        if (!absent(https.get("cert")) || !absent(https.get("key"))) {
            certs.add(certificate(name, https, base, List.of()));
        }
        JsonNode list = https.get("certificates");
        if (!absent(list)) {
            if (!list.isArray()) {
                throw ConfigValues.bad(name + ".certificates", "an array of {cert, key, hosts}", list);
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode c = list.get(i);
                List<String> hosts = new ArrayList<>();
                if (c.has("hosts")) {
                    c.get("hosts").forEach(h -> hosts.add(ConfigValues.string(name + ".certificates[].hosts", h)));
                }
                certs.add(certificate(name + ".certificates[" + i + "]", c, base, hosts));
            }
        }
        if (certs.isEmpty()) {
            throw new ConfigException(name + ": cert and key (PEM files) are needed for the HTTPS listener");
        }
        for (String ignored : new String[] {"ca", "ciphers", "honorCipherOrder", "secureOptions", "secureProtocol"}) {
            if (https.has(ignored)) {
                n.ignore(name + "." + ignored + ": ignored; TLS 1.2 and 1.3 with modern ciphers are offered");
            }
        }
        d.settings.httpsListen = listen;
        d.settings.tlsCertificates = certs;
    }

    private static TlsCertificate certificate(String name, JsonNode c, Path base, List<String> hosts) {
        if (absent(c.get("cert")) || absent(c.get("key"))) {
            throw new ConfigException(name + ": both cert and key (PEM files) are needed");
        }
        Path cert = ConfigValues.path(name + ".cert", c.get("cert"), base);
        Path key = ConfigValues.path(name + ".key", c.get("key"), base);
        for (Path f : new Path[] {cert, key}) {
            if (!java.nio.file.Files.isReadable(f)) {
                throw new ConfigException(name + ": file \"" + f + "\" cannot be read");
            }
        }
        String passphrase = absent(c.get("passphrase")) ? null : ConfigValues.secret(name + ".passphrase", c.get("passphrase"));
        return new TlsCertificate(cert, key, passphrase, hosts);
    }

    /** {@code driver}, or the old {@code redisHost}/{@code redisPort}/{@code redisDatabase}/{@code redisPassword}. */
    private static void applyRedis(JsonNode root, SettingsDraft d) {
        List<String> legacy = new ArrayList<>();
        root.fieldNames().forEachRemaining(k -> {
            if (LEGACY_REDIS.contains(k) && !absent(root.get(k))) {
                legacy.add(k);
            }
        });
        JsonNode driver = root.get("driver");
        if (!absent(driver)) {
            RedisDriverUrl[] rw = drivers("driver", driver);
            d.settings.readRedis = rw[0];
            d.settings.writeRedis = rw[1];
            if (!legacy.isEmpty()) {
                d.notices.warn(String.join(", ", legacy) + ": old Hipache keys, ignored because driver is set");
            }
            return;
        }
        if (legacy.isEmpty()) {
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
        d.settings.redis(url);
        d.notices.warn(String.join(", ", legacy) + ": old Hipache keys, read as driver " + url
                + "; prefer \"driver\": \"redis://:password@host:port/db\"");
    }

    /** A driver URL, or an array of them: read from the first, write dead marks to the last. */
    static RedisDriverUrl[] drivers(String name, JsonNode v) {
        if (v.isTextual()) {
            RedisDriverUrl url = ConfigValues.driver(name, v);
            return new RedisDriverUrl[] {url, url};
        }
        if (v.isArray() && !v.isEmpty()) {
            RedisDriverUrl first = ConfigValues.driver(name + "[0]", v.get(0));
            RedisDriverUrl last = first;
            for (int i = 1; i < v.size(); i++) {
                last = ConfigValues.driver(name + "[" + i + "]", v.get(i));
            }
            return new RedisDriverUrl[] {first, last};
        }
        throw bad(name, "a driver URL or a non-empty array of them", v);
    }

    /** Null when absent or null; an error when present but not an object. */
    private static JsonNode object(String name, JsonNode v) {
        if (absent(v)) {
            return null;
        }
        if (!v.isObject()) {
            throw bad(name, "an object", v);
        }
        return v;
    }

    private static void checkKeys(String prefix, JsonNode object, Set<String> known, Notices n) {
        object.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                String hint = closest(k, known);
                n.warn(prefix + k + ": unknown key, ignored"
                        + (hint == null ? "" : " (did you mean " + prefix + hint + "?)"));
            }
        });
    }

    /** The known key a typo most likely meant, or null when none is close. */
    private static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : new TreeSet<>(known)) {
            int dist = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (dist < bestDistance) {
                bestDistance = dist;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
