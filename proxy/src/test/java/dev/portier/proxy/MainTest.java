package dev.portier.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.proxy.config.ProxySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line run in-process: exit codes and what reaches stdout and stderr. */
class MainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void dryPrintsEveryFieldWithThePasswordHiddenAndExitsZero() throws IOException {
        Path file = write("""
                {"server": {"workers": 3, "lruCache": {}},
                 "http": {"port": 8080, "bind": ["127.0.0.1", "::1"]},
                 "driver": ["redis://:hunter2@replica:6380/1#app:", "redis://:hunter3@master:6381/1#app:"]}
                """);
        int code = run(Map.of(), "--dry", "--config", file.toString());

        assertEquals(0, code, err.toString());
        String printed = out.toString();
        for (RecordComponent group : ProxySettings.class.getRecordComponents()) {
            for (RecordComponent c : group.getType().getRecordComponents()) {
                String path = group.getName() + "." + c.getName();
                assertTrue(printed.contains("  " + path + " "), path + " missing from:\n" + printed);
            }
        }
        assertTrue(printed.contains("config file: " + file), printed);
        assertTrue(printed.contains("127.0.0.1:8080, [::1]:8080"), printed);
        assertTrue(printed.contains("redis://:***@replica:6380/1#app:"), printed);
        assertTrue(printed.contains("redis://:***@master:6381/1#app:"), printed);
        assertTrue(Pattern.compile("(?m)^  listeners\\.workers +3  \\(server\\.workers\\)$").matcher(printed).find(), printed);
        assertFalse(printed.contains("hunter2") || printed.contains("hunter3"), printed);
        assertFalse(err.toString().contains("hunter"), err.toString());
        assertTrue(err.toString().contains("note: server.lruCache: ignored"), err.toString());
    }

    @Test
    void dryReportsUnknownKeysAsWarningsAndStillSucceeds() throws IOException {
        Path file = write("{\"server\": {\"wrokers\": 3}}");
        assertEquals(0, run(Map.of(), "--dry", "--config", file.toString()));
        assertTrue(err.toString().contains("warning: server.wrokers: unknown key, ignored (did you mean server.workers?)"),
                err.toString());
    }

    @Test
    void dryUsesTheEnvironmentItIsGiven() {
        assertEquals(0, run(Map.of("REDIS_URL", "redis://:pw@from-env:7000", "PORT", "0"), "--dry"));
        assertTrue(out.toString().contains("redis://:***@from-env:7000/0"), out.toString());
        assertTrue(out.toString().contains("0.0.0.0:0"), out.toString());
    }

    @Test
    void aBadConfigExitsTwoWithTheMessageAndNoStackTrace() throws IOException {
        Path file = write("{\"server\": {\"retryOnError\": \"three\"}}");
        int code = run(Map.of(), "--dry", "--config", file.toString());

        assertEquals(Main.EXIT_BAD_CONFIG, code);
        assertEquals("portier-proxy: " + file + ": server.retryOnError: expected a non-negative integer, got \"three\"\n",
                err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void aBadConfigFailsBeforeStartingWithoutDryToo() throws IOException {
        Path file = write("{\"http\": {\"port\": 70000}}");
        assertEquals(Main.EXIT_BAD_CONFIG, run(Map.of(), "--config", file.toString()));
        assertTrue(err.toString().contains("http.port: expected a port 0..65535, got 70000"), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());
    }

    @Test
    void invalidJsonIsReportedWithLineAndColumn() throws IOException {
        Path file = write("{\n\"http\": {\"port\": 80,}\n}");
        assertEquals(Main.EXIT_BAD_CONFIG, run(Map.of(), "--dry", "--config", file.toString()));
        assertTrue(err.toString().startsWith("portier-proxy: " + file + ": invalid JSON at line 2, column 21: "), err.toString());
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertEquals(Main.EXIT_BAD_CONFIG, run(Map.of("PORTIER_WORKERS", "lots"), "--dry"));
        assertEquals("portier-proxy: PORTIER_WORKERS: expected an integer 1..1024, got \"lots\"\n", err.toString());
    }

    @Test
    void helpListsTheFlagsAndTheirVariables() {
        assertEquals(0, run(Map.of(), "--help"));
        for (String s : new String[] {"--config", "--port", "--bind", "--redis", "--workers", "--balancing",
                "--static-dir", "--debug", "--dry", "--version", "PORTIER_CONFIG", "REDIS_URL", "PORT", "BIND",
                "PORTIER_WORKERS", "PORTIER_BALANCING", "PORTIER_STATIC_DIR"}) {
            assertTrue(out.toString().contains(s), s + " missing from:\n" + out);
        }
    }

    @Test
    void versionIsPrinted() {
        assertEquals(0, run(Map.of(), "--version"));
        assertTrue(out.toString().startsWith("portier-proxy "), out.toString());
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        assertEquals(2, run(Map.of(), "--dry", "--prot", "80"));
        assertTrue(err.toString().contains("--prot"), err.toString());
    }

    private int run(Map<String, String> env, String... args) {
        return Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, json);
        return file;
    }
}
