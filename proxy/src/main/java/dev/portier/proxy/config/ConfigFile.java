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
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hipache's JSON config file applied over the defaults: the current layout here (the settings table's
 * keys, {@code driver}), {@code http} in {@link HttpSection}, {@code https} in {@link HttpsSection},
 * Hipache 0.3.1's layout and keys that mean nothing here in {@link LegacyLayout}. Keys are checked,
 * never silently dropped: an unknown key is a warning (a typo must be visible), a Hipache key that
 * means nothing here is listed as ignored.
 */
public final class ConfigFile {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
        Set<String> top = new HashSet<>(LegacyLayout.TOP_KEYS);
        top.addAll(Set.of("server", "http", "https", "driver"));
        SettingsTable.keyed().forEach(e -> top.add(e.fileKey().substring(0, e.fileKey().indexOf('.'))));
        KeyHints.check("", root, top, n);

        JsonNode server = object("server", root.get("server"));
        JsonNode http = object("http", root.get("http"));
        if (server != null) {
            KeyHints.check("server.", server, known("server", LegacyLayout.SERVER_KEYS), n);
            applyTable("server", server, base, d);
            LegacyLayout.server(server, d);
        }
        if (http != null) {
            KeyHints.check("http.", http, known("http", HttpSection.KEYS), n);
            HttpSection.apply(http, d);
        }
        LegacyLayout.listeners(server, http, d);

        JsonNode https = object("https", root.get("https"));
        if (https != null) {
            HttpsSection.apply("https", https, base, d);
        }
        LegacyLayout.https(server, base, d);

        JsonNode driver = root.get("driver");
        if (!absent(driver)) {
            RedisDriverUrl[] rw = drivers("driver", driver);
            d.put("redis.read", rw[0]);
            d.put("redis.write", rw[1]);
        }
        LegacyLayout.redis(root, !absent(driver), d);
        LegacyLayout.userAndGroup(root, n);
    }

    /** Every key of {@code section} the settings table reads, plus {@code byHand}. */
    private static Set<String> known(String section, Set<String> byHand) {
        Set<String> keys = new HashSet<>(byHand);
        for (SettingsTable.Entry e : SettingsTable.keyed()) {
            if (e.fileKey().startsWith(section + ".")) {
                keys.add(e.fileKey().substring(section.length() + 1));
            }
        }
        return keys;
    }

    /** The keys of {@code section} the settings table reads, in the file's order. */
    private static void applyTable(String section, JsonNode object, Path base, SettingsDraft d) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = section + "." + field.getKey();
            SettingsTable.Entry entry = SettingsTable.byFileKey(name);
            if (entry != null) {
                d.set(entry, name, field.getValue(), base);
            }
        }
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
    static JsonNode object(String name, JsonNode v) {
        if (absent(v)) {
            return null;
        }
        if (!v.isObject()) {
            throw bad(name, "an object", v);
        }
        return v;
    }
}
