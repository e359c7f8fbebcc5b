package dev.portier.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.RedisDriverUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsLoaderTest {

    @TempDir
    Path dir;

    private Path config;
    private Path fileDir;
    private Path envDir;
    private Path flagDir;

    @BeforeEach
    void writeConfig() throws IOException {
        fileDir = Files.createDirectories(dir.resolve("file-pages"));
        envDir = Files.createDirectories(dir.resolve("env-pages"));
        flagDir = Files.createDirectories(dir.resolve("flag-pages"));
        config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server": {"workers": 3, "balancing": "random", "staticDir": "file-pages", "retryOnError": 7},
                 "http": {"port": 8001, "bind": ["127.0.0.1"]},
                 "driver": "redis://file:6001"}
                """);
    }

    @Test
    void withNothingGivenTheDefaultsApply() {
        LoadedSettings loaded = SettingsLoader.load(ProxyOptions.parse(), Map.of());
        ProxySettings s = loaded.settings();
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 80)), s.listeners().http());
        assertEquals(new RedisDriverUrl("127.0.0.1", 6379, null, 0, ""), s.redis().read());
        assertEquals(s.redis().read(), s.redis().write());
        assertEquals(Balancing.ROUNDROBIN, s.backends().balancing());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.listeners().workers());
        assertNull(loaded.configFile());
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings().toString());
    }

    @Test
    void theFileOverridesTheDefaults() {
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", config.toString()), Map.of()).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8001)), s.listeners().http());
        assertEquals("file", s.redis().read().host());
        assertEquals(3, s.listeners().workers());
        assertEquals(Balancing.RANDOM, s.backends().balancing());
        assertEquals(fileDir, s.listeners().staticDir());
    }

    @Test
    void aSentinelGroupIsReadFromTheEnvironmentAndTheFlag() {
        String url = "redis-sentinel://:pw@s1:26379,s2/1?sentinelMasterId=mymaster#p:";
        ProxySettings env = SettingsLoader.load(ProxyOptions.parse(), Map.of("REDIS_URL", url)).settings();
        assertEquals(RedisDriverUrl.parse(url), env.redis().read());
        assertEquals("mymaster", env.redis().write().sentinelMasterId());
        ProxySettings flag = SettingsLoader.load(ProxyOptions.parse("--redis", url, "--redis", "redis://master:7000"), Map.of())
                .settings();
        assertEquals(2, flag.redis().read().sentinels().size());
        assertEquals("master", flag.redis().write().host(), "Hipache's pair: read the first, write the last");
    }

    @Test
    void theEnvironmentOverridesTheFile() {
        Map<String, String> env = fullEnvironment();
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", config.toString()), env).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.2", 8002), new InetSocketAddress("127.0.0.3", 8002)), s.listeners().http());
        assertEquals("env", s.redis().read().host());
        assertEquals("env", s.redis().write().host());
        assertEquals(4, s.listeners().workers());
        assertEquals(Balancing.ROUNDROBIN, s.backends().balancing());
        assertEquals(envDir, s.listeners().staticDir());
        assertEquals(7, s.backends().retryOnError(), "what the environment does not name stays as the file says");
    }

    @Test
    void flagsOverrideTheEnvironment() {
        ProxyOptions flags = ProxyOptions.parse("--config", config.toString(), "--port", "8003", "--bind", "127.0.0.4",
                "--redis", "redis://flag:6003", "--workers", "5", "--balancing", "FIRST",
                "--static-dir", flagDir.toString(), "--debug");
        ProxySettings s = SettingsLoader.load(flags, fullEnvironment()).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.4", 8003)), s.listeners().http());
        assertEquals("flag", s.redis().read().host());
        assertEquals("flag", s.redis().write().host());
        assertEquals(5, s.listeners().workers());
        assertEquals(Balancing.FIRST, s.backends().balancing());
        assertEquals(flagDir, s.listeners().staticDir());
        assertTrue(s.logs().debug());
        assertEquals(7, s.backends().retryOnError());
    }

    @Test
    void eachLayerOverridesOnlyWhatItNames() {
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", config.toString(), "--workers", "6"),
                Map.of(SettingsLoader.ENV_PORT, "8004")).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8004)), s.listeners().http(), "address from the file, port from env");
        assertEquals(6, s.listeners().workers());
        assertEquals("file", s.redis().read().host());
        assertEquals(Balancing.RANDOM, s.backends().balancing());
    }

    @Test
    void portReplacesThePortOfEveryListenerEvenPerAddressOnes() throws IOException {
        Path file = dir.resolve("objects.json");
        Files.writeString(file, "{\"http\": {\"port\": 8010, \"bind\": [{\"address\": \"127.0.0.1\", \"port\": 8011}, \"127.0.0.2\"]}}");
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", file.toString(), "--port", "0"), Map.of()).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.2", 0)), s.listeners().http());
    }

    @Test
    void bindWithoutPortKeepsTheFilesHttpPort() {
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", config.toString(), "--bind", "127.0.0.5,::1"),
                Map.of()).settings();
        assertEquals(List.of(new InetSocketAddress("127.0.0.5", 8001), new InetSocketAddress("::1", 8001)), s.listeners().http());
    }

    @Test
    void twoRedisFlagsSplitReadsFromWrites() {
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--redis", "redis://replica", "--redis", "redis://:pw@master:7000"),
                Map.of(SettingsLoader.ENV_REDIS_URL, "redis://env")).settings();
        assertEquals("replica", s.redis().read().host());
        assertEquals(new RedisDriverUrl("master", 7000, "pw", 0, ""), s.redis().write());
    }

    @Test
    void theConfigFileCanComeFromTheEnvironmentAndTheFlagWins() throws IOException {
        Map<String, String> env = Map.of(SettingsLoader.ENV_CONFIG, config.toString());
        LoadedSettings fromEnv = SettingsLoader.load(ProxyOptions.parse(), env);
        assertEquals(config, fromEnv.configFile());
        assertEquals(8001, fromEnv.settings().listeners().http().get(0).getPort());

        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"http\": {\"port\": 8020}}");
        LoadedSettings fromFlag = SettingsLoader.load(ProxyOptions.parse("--config", other.toString()), env);
        assertEquals(other, fromFlag.configFile());
        assertEquals(8020, fromFlag.settings().listeners().http().get(0).getPort());
    }

    @Test
    void headerTimeoutComesFromTheFileOrTheEnvironment() throws IOException {
        Path file = dir.resolve("header.json");
        Files.writeString(file, "{\"server\": {\"headerTimeout\": 10}}");
        ProxyOptions flags = ProxyOptions.parse("--config", file.toString());
        assertEquals(Duration.ofSeconds(10), SettingsLoader.load(flags, Map.of()).settings().timeouts().header());
        assertEquals(Duration.ofMillis(1500),
                SettingsLoader.load(flags, Map.of("HEADER_TIMEOUT", "1.5")).settings().timeouts().header());
    }

    @Test
    void aVariableSetToNothingCountsAsUnset() {
        Map<String, String> env = new HashMap<>();
        env.put(SettingsLoader.ENV_PORT, "");
        env.put(SettingsLoader.ENV_REDIS_URL, "  ");
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", config.toString()), env).settings();
        assertEquals(8001, s.listeners().http().get(0).getPort());
        assertEquals("file", s.redis().read().host());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PORT               | eighty     | PORT: expected a port 0..65535, got \"eighty\"",
            "PORT               | 65536      | PORT: expected a port 0..65535, got \"65536\"",
            "PORTIER_WORKERS    | 0          | PORTIER_WORKERS: expected an integer 1..1024, got \"0\"",
            "PORTIER_BALANCING  | leastconn  | PORTIER_BALANCING: expected one of first, random, roundrobin, got \"leastconn\"",
            "REDIS_URL          | http://x   | REDIS_URL: Redis driver URL 'http://x' must start with redis:",
            "BIND               | ' , '      | BIND: expected at least one address, got \" , \"",
            "PORTIER_STATIC_DIR | /no/such/d | PORTIER_STATIC_DIR: directory \"/no/such/d\" does not exist",
            "HEADER_TIMEOUT     | -1         | HEADER_TIMEOUT: expected a non-negative number of seconds, got \"-1\"",
    })
    void aBadEnvironmentValueNamesTheVariable(String name, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SettingsLoader.load(ProxyOptions.parse(), Map.of(name, value)));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port       | -1         | --port: expected a port 0..65535, got \"-1\"",
            "--workers    | many       | --workers: expected an integer 1..1024, got \"many\"",
            "--balancing  | sticky     | --balancing: expected one of first, random, roundrobin, got \"sticky\"",
            "--redis      | redis://h:p | --redis: Redis driver URL 'redis://h:p': port 'p' is not a number",
            "--static-dir | /no/such/d | --static-dir: directory \"/no/such/d\" does not exist",
    })
    void aBadFlagValueNamesTheFlag(String flag, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SettingsLoader.load(ProxyOptions.parse(flag, value), Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aBadValueInTheEnvironmentHidesARedisPassword() {
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(ProxyOptions.parse(),
                Map.of(SettingsLoader.ENV_REDIS_URL, "redis://:hunter2@host:notaport")));
        assertTrue(e.getMessage().startsWith("REDIS_URL: "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aStaticDirThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        ConfigException e = assertThrows(ConfigException.class,
                () -> SettingsLoader.load(ProxyOptions.parse("--static-dir", file.toString()), Map.of()));
        assertEquals("--static-dir: directory \"" + file + "\" is not a directory", e.getMessage());
    }

    @Test
    void aLaterLayerReplacingABadStaticDirIsNotHeldBackByIt() throws IOException {
        Path file = dir.resolve("missing-pages.json");
        Files.writeString(file, "{\"server\": {\"staticDir\": \"gone\"}}");
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", file.toString(), "--static-dir", flagDir.toString()),
                Map.of()).settings();
        assertEquals(flagDir, s.listeners().staticDir());
    }

    private Map<String, String> fullEnvironment() {
        return Map.of(
                SettingsLoader.ENV_PORT, "8002",
                SettingsLoader.ENV_BIND, "127.0.0.2, 127.0.0.3",
                SettingsLoader.ENV_REDIS_URL, "redis://env:6002",
                "PORTIER_WORKERS", "4",
                "PORTIER_BALANCING", "roundrobin",
                "PORTIER_STATIC_DIR", envDir.toString(),
                "UNRELATED", "whatever");
    }
}
