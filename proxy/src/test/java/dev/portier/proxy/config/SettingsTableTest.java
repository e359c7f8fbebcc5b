package dev.portier.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portier.common.RedisDriverUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the settings table, whatever it is: read from its file key, variable and flag, named in
 * its errors, shown by {@code --dry}. A new key gets these for free; its own test checks what it means.
 */
class SettingsTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Stream<Named<SettingsTable.Entry>> keyed() {
        return SettingsTable.keyed().stream().map(e -> Named.of(e.fileKey(), e));
    }

    /** A valid value of each kind that no key has as its default. */
    private static String sample(Kind kind) {
        return switch (kind) {
            case SECONDS, POSITIVE_SECONDS, POSITIVE_MILLIS, POSITIVE, NON_NEGATIVE, WORKERS, PORT, OPTIONAL_PORT -> "7";
            case STRING -> "sample.test";
            case STATSD_FLAVOR -> "telegraf";
            case BALANCING -> "random";
            case TRANSPORT -> "nio";
            case PATH, DIRECTORY -> dir.toString();
            case ADDRESSES -> "192.0.2.0/24";
            case BOOLEAN -> throw new IllegalArgumentException("booleans take their default's opposite");
        };
    }

    private static String sample(SettingsTable.Entry e) {
        Kind kind = e.key().kind();
        return kind == Kind.BOOLEAN ? String.valueOf(!Boolean.parseBoolean(e.key().fallback())) : sample(kind);
    }

    private static Object expected(SettingsTable.Entry e) {
        Object value = e.key().kind().read("sample", ConfigValues.text(sample(e)), dir);
        assertNotEquals(SettingsTable.defaults().get(e.path()), value, e.path() + ": the sample must not be the default");
        return value;
    }

    private static Object value(LoadedSettings loaded, SettingsTable.Entry e) {
        return SettingsTable.values(loaded.settings()).get(e.path());
    }

    private static Path config(SettingsTable.Entry e, Object value) throws IOException {
        String[] parts = e.fileKey().split("\\.", 2);
        ObjectNode root = JSON.createObjectNode();
        root.putObject(parts[0]).set(parts[1], JSON.valueToTree(value));
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, root.toString());
        return file;
    }

    @ParameterizedTest
    @MethodSource("keyed")
    void theFileKeySetsTheValue(SettingsTable.Entry e) throws IOException {
        LoadedSettings loaded = SettingsLoader.load(ProxyOptions.parse("--config", config(e, sample(e)).toString()), Map.of());
        assertEquals(expected(e), value(loaded, e));
        assertTrue(loaded.warnings().stream().noneMatch(w -> w.contains("unknown key")), loaded.warnings().toString());
    }

    @ParameterizedTest
    @MethodSource("keyed")
    void aBadFileValueNamesTheFileAndTheKey(SettingsTable.Entry e) throws IOException {
        Path file = config(e, Map.of("not", "a value"));
        ConfigException x = assertThrows(ConfigException.class,
                () -> SettingsLoader.load(ProxyOptions.parse("--config", file.toString()), Map.of()));
        assertTrue(x.getMessage().startsWith(file + ": " + e.fileKey() + ": "), x.getMessage());
    }

    @ParameterizedTest
    @MethodSource("keyed")
    void theDefaultIsWhatTheFallbackSays(SettingsTable.Entry e) throws IOException {
        Object loaded = value(SettingsLoader.load(ProxyOptions.parse(), Map.of()), e);
        Key key = e.key();
        if (key.fallback().equals("cores")) {
            assertEquals(Runtime.getRuntime().availableProcessors(), loaded);
        } else if (key.fallback().isEmpty()) {
            assertEquals(null, loaded);
        } else {
            assertEquals(key.kind().read("fallback", ConfigValues.text(key.fallback()), dir), loaded);
            // and a null in the file means the default too
            assertEquals(loaded, value(SettingsLoader.load(ProxyOptions.parse("--config", config(e, null).toString()),
                    Map.of()), e));
        }
    }

    @ParameterizedTest
    @MethodSource("keyed")
    void theVariableSetsTheValueOverTheFile(SettingsTable.Entry e) throws IOException {
        String env = e.key().env();
        if (env.isEmpty()) {
            return;
        }
        Path file = config(e, null);
        LoadedSettings loaded = SettingsLoader.load(ProxyOptions.parse("--config", file.toString()), Map.of(env, sample(e)));
        assertEquals(expected(e), value(loaded, e));
    }

    @ParameterizedTest
    @MethodSource("keyed")
    void theFlagSetsTheValueOverTheVariable(SettingsTable.Entry e) {
        Key key = e.key();
        if (key.flag().isEmpty()) {
            return;
        }
        // the variable names the default (when it can be written), the flag the sample
        boolean writable = !key.fallback().isEmpty() && !key.fallback().equals("cores");
        Map<String, String> env = key.env().isEmpty() || !writable ? Map.of() : Map.of(key.env(), key.fallback());
        ProxyOptions flags = key.kind() == Kind.BOOLEAN ? ProxyOptions.parse(key.flag())
                : ProxyOptions.parse(key.flag(), sample(e));
        assertEquals(expected(e), value(SettingsLoader.load(flags, env), e));
    }

    @Test
    void keysVariablesAndFlagsAreUniqueAndFlagsLookLikeFlags() {
        Set<String> names = new HashSet<>();
        for (SettingsTable.Entry e : SettingsTable.keyed()) {
            Key key = e.key();
            assertTrue(key.value().matches("[a-z]+\\.[a-zA-Z0-9]+"), key.value());
            assertTrue(names.add(key.value()), key.value());
            assertTrue(key.env().isEmpty() || names.add(key.env()), key.env());
            assertTrue(key.flag().isEmpty() || key.flag().matches("--[a-z][a-z-]+") && names.add(key.flag()), key.flag());
            assertTrue(key.kind() != Kind.BOOLEAN || key.env().isEmpty(), e.path() + ": a switch has no variable");
        }
        for (String byHand : List.of("PORT", "BIND", "REDIS_URL", "PORTIER_CONFIG")) {
            assertTrue(names.add(byHand), byHand);
        }
    }

    @Test
    void withChangesOneValueAndRefusesAWrongPathOrType() {
        ProxySettings s = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0), RedisDriverUrl.parse("redis:"));
        ProxySettings changed = s.with("timeouts.backend", Duration.ofMillis(500));
        assertEquals(Duration.ofMillis(500), changed.timeouts().backend());
        assertEquals(s.timeouts().connect(), changed.timeouts().connect());
        assertEquals(s.admin(), changed.admin());
        assertEquals(-1, s.admin().port(), "the embedding default has no admin listener");

        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> s.with("timeouts.backendTimeout", Duration.ZERO));
        assertTrue(path.getMessage().startsWith("no setting timeouts.backendTimeout; there are [listeners.http, "),
                path.getMessage());
        assertEquals("timeouts.backend is a Duration, got Integer",
                assertThrows(IllegalArgumentException.class, () -> s.with("timeouts.backend", 500)).getMessage());
        assertEquals("admin.port is a Integer, got null",
                assertThrows(IllegalArgumentException.class, () -> s.with("admin.port", null)).getMessage());
        assertEquals("tls.listen holds InetSocketAddresss, got String",
                assertThrows(IllegalArgumentException.class, () -> s.with("tls.listen", List.of("127.0.0.1:443")))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> s.with("redis.read", null));
    }
}
