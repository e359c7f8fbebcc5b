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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigFileTest {

    @TempDir
    Path dir;

    /** Hipache master's README layout, with numbers that differ from our defaults so that each is seen applied. */
    private static final String MASTER = """
            {
                "server": {
                    "debug": true,
                    "workers": 10,
                    "maxSockets": 100,
                    "tcpTimeout": 45,
                    "deadBackendTTL": 20,
                    "retryOnError": 5,
                    "accessLog": "/var/log/hipache/access.log",
                    "httpKeepAlive": false,
                    "deadBackendOn500": true,
                    "staticDir": null
                },
                "http": {
                    "port": 8080,
                    "bind": ["127.0.0.1", "::1"]
                },
                "https": {
                    "bind": [],
                    "port": 443,
                    "ca": [],
                    "secureProtocol": "SSLv23_method",
                    "secureOptions": 50331648,
                    "key": "ssl.key",
                    "cert": "ssl.crt",
                    "passphrase": "tls-secret",
                    "ciphers": "EECDH+AESGCM:!aNULL",
                    "honorCipherOrder": true
                },
                "driver": "redis://:s3cret@10.0.0.5:6380/2#hipache:",
                "user": "www-data",
                "group": "www-data"
            }
            """;

    /** Hipache 0.3.1's layout: listeners and HTTPS under server, the old redis* keys. */
    private static final String V031 = """
            {
                "server": {
                    "accessLog": "/var/log/hipache_access.log",
                    "port": 8081,
                    "workers": 5,
                    "maxSockets": 100,
                    "deadBackendTTL": 45,
                    "tcpTimeout": 10,
                    "retryOnError": 2,
                    "deadBackendOn500": false,
                    "httpKeepAlive": false,
                    "lruCache": {"size": 5, "ttl": 5},
                    "address": ["127.0.0.1"],
                    "address6": ["::1"],
                    "https": {
                        "port": 443,
                        "key": "ssl.key",
                        "cert": "ssl.crt"
                    }
                },
                "redisHost": "10.1.2.3",
                "redisPort": 6390,
                "redisDatabase": 3,
                "redisPassword": "old-secret"
            }
            """;

    @Test
    void hipacheMasterExampleGivesTheExpectedSettings() throws IOException {
        LoadedSettings loaded = load(MASTER);
        ProxySettings s = loaded.settings();

        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("::1", 8080)), s.listeners().http());
        RedisDriverUrl redis = new RedisDriverUrl("10.0.0.5", 6380, "s3cret", 2, "hipache:");
        assertEquals(redis, s.redis().read());
        assertEquals(redis, s.redis().write());
        assertTrue(s.logs().debug());
        assertEquals(10, s.listeners().workers());
        assertEquals(Duration.ofSeconds(45), s.timeouts().backend());
        assertEquals(Duration.ofSeconds(20), s.backends().deadTtl());
        assertEquals(5, s.backends().retryOnError());
        assertEquals(Path.of("/var/log/hipache/access.log"), s.logs().accessLog());
        assertFalse(s.listeners().keepAlive());
        assertTrue(s.backends().deadOn500());
        assertNull(s.listeners().staticDir());

        ProxySettings d = SettingsLoader.defaults();
        assertEquals(d.backends().balancing(), s.backends().balancing());
        assertEquals(d.timeouts().connect(), s.timeouts().connect());
        assertEquals(d.listeners().maxConnections(), s.listeners().maxConnections());
        assertEquals(d.listeners().maxHeaderSize(), s.listeners().maxHeaderSize());

        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 443)), s.tls().listen(), "an empty https.bind means every address");
        assertEquals(1, s.tls().certificates().size());
        assertEquals("tls-secret", s.tls().certificates().get(0).passphrase());
        assertTrue(has(loaded.ignored(), "https.ciphers: ignored"), loaded.ignored().toString());
        assertTrue(has(loaded.warnings(), "user, group: ignored"), loaded.warnings().toString());
        assertTrue(has(loaded.warnings(), "server.deadBackendOn500: true, so a backend answering 500 is marked dead"),
                loaded.warnings().toString());
        assertTrue(has(loaded.ignored(), "server.maxSockets: ignored"), loaded.ignored().toString());
        assertTrue(has(loaded.ignored(), "https.secureProtocol: ignored"), loaded.ignored().toString());
        assertFalse(has(loaded.warnings(), "unknown key"), loaded.warnings().toString());
        assertNoSecret(loaded, "s3cret");
        assertNoSecret(loaded, "tls-secret");
    }

    @Test
    void hipache031ExampleIsMappedWithWarnings() throws IOException {
        LoadedSettings loaded = load(V031);
        ProxySettings s = loaded.settings();

        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8081), new InetSocketAddress("::1", 8081)), s.listeners().http());
        RedisDriverUrl redis = new RedisDriverUrl("10.1.2.3", 6390, "old-secret", 3, "");
        assertEquals(redis, s.redis().read());
        assertEquals(redis, s.redis().write());
        assertEquals(5, s.listeners().workers());
        assertEquals(Duration.ofSeconds(10), s.timeouts().backend());
        assertEquals(Duration.ofSeconds(45), s.backends().deadTtl());
        assertEquals(2, s.backends().retryOnError());
        assertFalse(s.listeners().keepAlive());
        assertEquals(Path.of("/var/log/hipache_access.log"), s.logs().accessLog());

        List<String> w = loaded.warnings();
        assertTrue(has(w, "server.port: Hipache 0.3.1 layout, read as http.port"), w.toString());
        assertTrue(has(w, "server.address, server.address6: Hipache 0.3.1 layout, read as http.bind"), w.toString());
        assertTrue(has(w, "server.https: Hipache 0.3.1 layout"), w.toString());
        assertEquals(443, s.tls().listen().get(0).getPort(), "0.3.1's server.https is read as https");
        assertTrue(has(w, "redisHost, redisPort, redisDatabase, redisPassword: old Hipache keys, read as driver"), w.toString());
        assertTrue(has(loaded.ignored(), "server.lruCache: ignored"), loaded.ignored().toString());
        assertFalse(has(w, "unknown key"), w.toString());
        assertNoSecret(loaded, "old-secret");
    }

    @Test
    void masterKeysWinOverThe031OnesAndSayWhy() throws IOException {
        LoadedSettings loaded = load("""
                {"server": {"port": 1111, "address": "127.0.0.9"},
                 "http": {"port": 2222, "bind": "127.0.0.1"},
                 "driver": "redis://new:7000", "redisHost": "old"}
                """);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 2222)), loaded.settings().listeners().http());
        assertEquals("new", loaded.settings().redis().read().host());
        assertTrue(has(loaded.warnings(), "server.port: Hipache 0.3.1 layout, ignored because http.port is set"));
        assertTrue(has(loaded.warnings(), "server.address: Hipache 0.3.1 layout, ignored because http.bind is set"));
        assertTrue(has(loaded.warnings(), "redisHost: old Hipache keys, ignored because driver is set"));
    }

    @Test
    void bindAsOneString() throws IOException {
        ProxySettings s = settings("{\"http\": {\"port\": 8100, \"bind\": \"127.0.0.2\"}}");
        assertEquals(List.of(new InetSocketAddress("127.0.0.2", 8100)), s.listeners().http());
    }

    @Test
    void anIpv6AddressMayBeBracketed() throws IOException {
        ProxySettings s = settings("{\"http\": {\"port\": 8107, \"bind\": \"[::1]\"}}");
        assertEquals(List.of(new InetSocketAddress("::1", 8107)), s.listeners().http());
    }

    @Test
    void bindAsAnArrayOfStrings() throws IOException {
        ProxySettings s = settings("{\"http\": {\"port\": 8101, \"bind\": [\"127.0.0.2\", \"127.0.0.3\"]}}");
        assertEquals(List.of(new InetSocketAddress("127.0.0.2", 8101), new InetSocketAddress("127.0.0.3", 8101)), s.listeners().http());
    }

    @Test
    void bindObjectsTakeTheirOwnPortOrHttpPort() throws IOException {
        ProxySettings s = settings("""
                {"http": {"port": 8102, "bind": [
                    {"address": "127.0.0.2", "port": 9001},
                    {"address": "::1"},
                    "127.0.0.3"
                ]}}
                """);
        assertEquals(List.of(new InetSocketAddress("127.0.0.2", 9001), new InetSocketAddress("::1", 8102),
                new InetSocketAddress("127.0.0.3", 8102)), s.listeners().http());
    }

    @Test
    void withoutBindEveryInterfaceIsUsedAndAnEmptyAddressMeansTheSame() throws IOException {
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 8103)), settings("{\"http\": {\"port\": 8103}}").listeners().http());
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 80)), settings("{\"http\": {\"bind\": \"\"}}").listeners().http());
    }

    @Test
    void aListenerListedTwiceIsBoundOnceWithAWarning() throws IOException {
        LoadedSettings loaded = load("{\"http\": {\"port\": 8104, \"bind\": [\"127.0.0.1\", {\"address\": \"127.0.0.1\"}]}}");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8104)), loaded.settings().listeners().http());
        assertTrue(loaded.warnings().stream().anyMatch(w -> w.endsWith("http.bind[1]: 127.0.0.1:8104 is listed twice; listening once")),
                loaded.warnings().toString());
    }

    @Test
    void driverArrayReadsFromTheFirstAndWritesToTheLast() throws IOException {
        ProxySettings s = settings("{\"driver\": [\"redis://replica:6380/1\", \"redis://:pw@master:6381/1#p:\"]}");
        assertEquals(new RedisDriverUrl("replica", 6380, null, 1, ""), s.redis().read());
        assertEquals(new RedisDriverUrl("master", 6381, "pw", 1, "p:"), s.redis().write());
    }

    @Test
    void aSingleDriverIsUsedForBoth() throws IOException {
        ProxySettings s = settings("{\"driver\": [\"redis:\"]}");
        assertEquals(RedisDriverUrl.parse("redis:"), s.redis().read());
        assertEquals(s.redis().read(), s.redis().write());
    }

    @Test
    void ourOwnServerKeysAreRead() throws IOException {
        ProxySettings s = settings("""
                {"server": {"balancing": "RoundRobin", "connectTimeout": 1500, "clientIdleTimeout": 10,
                            "upgradeIdleTimeout": 0, "refreshInterval": 250, "maxHeaderSize": 16384,
                            "poolIdlePerBackend": 8, "maxConnections": 500, "tcpTimeout": 0.5}}
                """);
        assertEquals(Balancing.ROUNDROBIN, s.backends().balancing());
        assertEquals(Duration.ofMillis(1500), s.timeouts().connect());
        assertEquals(Duration.ofSeconds(10), s.timeouts().clientIdle());
        assertEquals(Duration.ZERO, s.timeouts().upgradeIdle());
        assertEquals(Duration.ofMillis(250), s.redis().refreshInterval());
        assertEquals(16384, s.listeners().maxHeaderSize());
        assertEquals(8, s.pool().idlePerBackend());
        assertEquals(500, s.listeners().maxConnections());
        assertEquals(Duration.ofMillis(500), s.timeouts().backend());
    }

    @Test
    void theKeysAddedForTheRelayAndTheAdminListenerHaveTheirDefaults() throws IOException {
        ProxySettings s = settings("{}");
        assertEquals(Duration.ofSeconds(30), s.timeouts().header());
        assertEquals(AddressFilter.parse("127.0.0.0/8", "::1/128"), s.listeners().debugFrom());
        assertEquals(256, s.admin().maxConnections());
        assertEquals(Duration.ofSeconds(60), s.admin().idleTimeout());
        assertEquals(Duration.ofSeconds(5), s.redis().degradedAfter());
    }

    @Test
    void theKeysAddedForTheRelayAndTheAdminListenerAreRead() throws IOException {
        ProxySettings s = settings("""
                {"server": {"headerTimeout": 2.5, "debugFrom": ["10.0.0.0/8", "2001:db8::1"],
                            "adminMaxConnections": 4, "adminIdleTimeout": 0, "redisDegradedAfter": 12}}
                """);
        assertEquals(Duration.ofMillis(2500), s.timeouts().header());
        assertEquals(AddressFilter.parse("10.0.0.0/8", "2001:db8::1/128"), s.listeners().debugFrom());
        assertEquals(4, s.admin().maxConnections());
        assertEquals(Duration.ZERO, s.admin().idleTimeout());
        assertEquals(Duration.ofSeconds(12), s.redis().degradedAfter());
        assertEquals(AddressFilter.NONE, settings("{\"server\": {\"debugFrom\": []}}").listeners().debugFrom(),
                "an empty list gives X-Debug to nobody");
    }

    @Test
    void bodyTimeoutIsSixtySecondsUnlessSetAndZeroDisablesIt() throws IOException {
        assertEquals(Duration.ofSeconds(60), settings("{}").timeouts().body());
        assertEquals(Duration.ofMillis(1500), settings("{\"server\": {\"bodyTimeout\": 1.5}}").timeouts().body());
        assertEquals(Duration.ZERO, settings("{\"server\": {\"bodyTimeout\": 0}}").timeouts().body());
    }

    @Test
    void numbersWrittenAsStringsAreAcceptedAsNodeDid() throws IOException {
        ProxySettings s = settings("{\"server\": {\"workers\": \"4\", \"retryOnError\": \"0\", \"debug\": \"true\"}, \"http\": {\"port\": \"8105\"}}");
        assertEquals(4, s.listeners().workers());
        assertEquals(0, s.backends().retryOnError());
        assertTrue(s.logs().debug());
        assertEquals(8105, s.listeners().http().get(0).getPort());
    }

    @Test
    void relativePathsAreResolvedAgainstTheConfigFilesDirectory() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(conf.resolve("pages"));
        Path file = conf.resolve("config.json");
        Files.writeString(file, "{\"server\": {\"staticDir\": \"pages\", \"accessLog\": \"logs/access.log\"}}");
        ProxySettings s = SettingsLoader.load(ProxyOptions.parse("--config", file.toString()), Map.of()).settings();
        assertEquals(conf.resolve("pages").toAbsolutePath(), s.listeners().staticDir());
        assertEquals(conf.resolve("logs/access.log").toAbsolutePath(), s.logs().accessLog());
    }

    @Test
    void unknownKeysAreWarnedAboutWithASuggestionButLoad() throws IOException {
        LoadedSettings loaded = load("""
                {"server": {"wrokers": 4, "retryOnError": 1},
                 "http": {"port": 8106, "bind": [{"address": "127.0.0.1", "prot": 1}]},
                 "api": {"resume": {}}}
                """);
        List<String> w = loaded.warnings();
        assertTrue(w.contains("server.wrokers: unknown key, ignored (did you mean server.workers?)"), w.toString());
        assertTrue(w.contains("http.bind[0].prot: unknown key, ignored (did you mean http.bind[0].port?)"), w.toString());
        assertTrue(w.contains("api: unknown key, ignored"), w.toString());
        assertEquals(SettingsLoader.defaults().listeners().workers(), loaded.settings().listeners().workers());
        assertEquals(1, loaded.settings().backends().retryOnError());
    }

    @Test
    void keysThatMeanNothingHereAreAcceptedAndListedAsIgnored() throws IOException {
        LoadedSettings loaded = load("""
                {"server": {"lruCache": {"size": 5, "ttl": 5}, "maxSockets": 100},
                 "https": {"secureProtocol": "TLSv1_2_method", "cert": "ssl.crt", "key": "ssl.key"}}
                """);
        assertEquals(3, loaded.ignored().size(), loaded.ignored().toString());
        assertTrue(has(loaded.ignored(), "server.lruCache: ignored"));
        assertTrue(has(loaded.ignored(), "server.maxSockets: ignored"));
        assertTrue(has(loaded.ignored(), "https.secureProtocol: ignored"));
        assertFalse(has(loaded.warnings(), "unknown key"), loaded.warnings().toString());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("{\"server\": {\"retryOnError\": \"three\"}}",
                        "server.retryOnError: expected a non-negative integer, got \"three\""),
                Arguments.of("{\"server\": {\"retryOnError\": -1}}",
                        "server.retryOnError: expected a non-negative integer, got -1"),
                Arguments.of("{\"server\": {\"workers\": 0}}", "server.workers: expected an integer 1..1024, got 0"),
                Arguments.of("{\"server\": {\"workers\": 2.5}}", "server.workers: expected an integer 1..1024, got 2.5"),
                Arguments.of("{\"http\": {\"port\": 70000}}", "http.port: expected a port 0..65535, got 70000"),
                Arguments.of("{\"http\": {\"port\": -1}}", "http.port: expected a port 0..65535, got -1"),
                Arguments.of("{\"server\": {\"port\": \"eighty\"}}", "server.port: expected a port 0..65535, got \"eighty\""),
                Arguments.of("{\"server\": {\"balancing\": \"leastconn\"}}",
                        "server.balancing: expected one of first, random, roundrobin, got \"leastconn\""),
                Arguments.of("{\"server\": {\"tcpTimeout\": -5}}",
                        "server.tcpTimeout: expected a non-negative number of seconds, got -5"),
                Arguments.of("{\"server\": {\"deadBackendTTL\": 0}}",
                        "server.deadBackendTTL: expected a positive integer (seconds), got 0"),
                Arguments.of("{\"server\": {\"connectTimeout\": 0}}",
                        "server.connectTimeout: expected a positive integer (milliseconds), got 0"),
                Arguments.of("{\"server\": {\"debug\": \"yes\"}}", "server.debug: expected true or false, got \"yes\""),
                Arguments.of("{\"server\": {\"maxHeaderSize\": 0}}", "server.maxHeaderSize: expected a positive integer, got 0"),
                Arguments.of("{\"server\": {\"staticDir\": \"no-such-dir\"}}", "server.staticDir: directory \""),
                Arguments.of("{\"server\": \"fast\"}", "server: expected an object, got \"fast\""),
                Arguments.of("{\"server\": {\"headerTimeout\": -1}}",
                        "server.headerTimeout: expected a non-negative number of seconds, got -1"),
                Arguments.of("{\"server\": {\"debugFrom\": [\"127.0.0.0/8\", \"intranet\"]}}",
                        "server.debugFrom: \"intranet\" is not an IP address or a CIDR block (address/prefix)"),
                Arguments.of("{\"server\": {\"debugFrom\": [\"10.1.0.0/8\"]}}",
                        "server.debugFrom: \"10.1.0.0/8\" has bits set past its /8 prefix (did you mean 10.0.0.0/8?)"),
                Arguments.of("{\"server\": {\"debugFrom\": [8]}}",
                        "server.debugFrom[0]: expected an IP address or a CIDR block, got 8"),
                Arguments.of("{\"server\": {\"debugFrom\": true}}",
                        "server.debugFrom: expected an array of IP addresses and CIDR blocks, got true"),
                Arguments.of("{\"server\": {\"adminMaxConnections\": 0}}",
                        "server.adminMaxConnections: expected a positive integer, got 0"),
                Arguments.of("{\"server\": {\"adminIdleTimeout\": \"soon\"}}",
                        "server.adminIdleTimeout: expected a non-negative number of seconds, got \"soon\""),
                Arguments.of("{\"server\": {\"redisDegradedAfter\": 0}}",
                        "server.redisDegradedAfter: expected a positive integer (seconds), got 0"),
                Arguments.of("{\"driver\": \"http://localhost\"}",
                        "driver: Redis driver URL 'http://localhost' must start with redis:"),
                Arguments.of("{\"driver\": [\"redis:\", \"redis://h:x\"]}", "driver[1]: Redis driver URL 'redis://h:x': port 'x' is not a number"),
                Arguments.of("{\"driver\": []}", "driver: expected a driver URL or a non-empty array of them, got []"),
                Arguments.of("{\"http\": {\"bind\": [42]}}",
                        "http.bind[0]: expected an address or an {address, port} object, got 42"),
                Arguments.of("{\"http\": {\"bind\": []}}", "http.bind: expected at least one address, got []"),
                Arguments.of("{\"http\": {\"bind\": [{\"address\": \"127.0.0.1\", \"port\": \"x\"}]}}",
                        "http.bind[0].port: expected a port 0..65535, got \"x\""),
                Arguments.of("{\"http\": {\"bind\": [{\"port\": 81}]}}", "http.bind[0].address: missing"),
                Arguments.of("{\"https\": {\"port\": 99999}}", "https.port: expected a port 0..65535, got 99999"),
                Arguments.of("{\"redisPort\": 0}", "redisPort: expected a port 1..65535, got 0"),
                Arguments.of("{\"server\": {\"transport\": \"kqueue\"}}",
                        "server.transport: expected one of auto,io_uring,epoll,nio, got \"kqueue\""));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadValueFailsNamingTheFileTheKeyAndTheValue(String json, String message) throws IOException {
        Path file = write(json);
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(options(file), Map.of()));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aDriverErrorNeverShowsThePassword() throws IOException {
        Path file = write("{\"driver\": \"redis://:hunter2@host:notaport\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(options(file), Map.of()));
        assertTrue(e.getMessage().contains("driver: ") && e.getMessage().contains("notaport"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aBadPasswordTypeIsReportedWithoutItsValue() throws IOException {
        Path file = write("{\"redisPassword\": {\"nested\": \"hunter2\"}}");
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(options(file), Map.of()));
        assertTrue(e.getMessage().endsWith("redisPassword: expected a string"), e.getMessage());
    }

    @Test
    void invalidJsonNamesTheFileLineAndColumn() throws IOException {
        Path file = write("{\n  \"server\": {\n    \"workers\": 4,\n  }\n}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(options(file), Map.of()));
        assertTrue(e.getMessage().startsWith(file + ": invalid JSON at line 4, column 3: "), e.getMessage());
    }

    @Test
    void trailingGarbageIsInvalidToo() throws IOException {
        Path file = write("{\"server\": {}}\n{}");
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(options(file), Map.of()));
        assertTrue(e.getMessage().startsWith(file + ": invalid JSON at line 2"), e.getMessage());
    }

    @Test
    void anEmptyFileOrANonObjectIsRefused() throws IOException {
        Path empty = write("");
        assertEquals(empty + ": empty, expected a JSON object",
                assertThrows(ConfigException.class, () -> SettingsLoader.load(options(empty), Map.of())).getMessage());
        Path array = write("[1]");
        assertEquals(array + ": expected a JSON object at the top, got array",
                assertThrows(ConfigException.class, () -> SettingsLoader.load(options(array), Map.of())).getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.json");
        assertEquals(missing + ": config file not found",
                assertThrows(ConfigException.class, () -> SettingsLoader.load(options(missing), Map.of())).getMessage());
    }

    private LoadedSettings load(String json) throws IOException {
        return SettingsLoader.load(options(write(json)), Map.of());
    }

    private ProxySettings settings(String json) throws IOException {
        return load(json).settings();
    }

    private Path write(String json) throws IOException {
        // the examples' https.cert and https.key, relative to the config file: they must be readable
        for (String pem : new String[] {"ssl.crt", "ssl.key"}) {
            if (!Files.exists(dir.resolve(pem))) {
                Files.writeString(dir.resolve(pem), "PEM");
            }
        }
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, json);
        return file;
    }

    private static ProxyOptions options(Path file) {
        return ProxyOptions.parse("--config", file.toString());
    }

    private static boolean has(List<String> messages, String start) {
        return messages.stream().anyMatch(m -> m.startsWith(start));
    }

    private static void assertNoSecret(LoadedSettings loaded, String secret) {
        for (String m : loaded.warnings()) {
            assertFalse(m.contains(secret), m);
        }
        for (String m : loaded.ignored()) {
            assertFalse(m.contains(secret), m);
        }
    }
}
