package dev.portier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The quick start ({@code docker/run-local.sh}) on a host that already runs a Redis with a live
 * catch-all route, as a Hipache host does: the script must never write to that Redis, and Ctrl-C
 * (SIGINT to its process group, what a terminal sends) must stop every process it started.
 * A foreign Redis sits on a free port and, when it is free, on 6379 (the port a quick start would
 * naturally reuse); each holds {@code frontend:*} and {@code dead:*} that are not the script's.
 */
class RunLocalIT {

    private static final Path ROOT = Path.of(System.getProperty("portier.root", "..")).toAbsolutePath().normalize();
    private static final List<String> FOREIGN_ROUTE = List.of("hipache-live", "http://10.9.8.7:8080");

    private final List<RedisServer> foreign = new ArrayList<>();
    private final List<Process> scripts = new ArrayList<>();

    @BeforeEach
    void foreignRedis() {
        foreign.add(seeded(new RedisServer().start()));
        if (isFree(6379)) {
            foreign.add(seeded(new RedisServer(6379).start()));
        } else {
            System.out.println("port 6379 is taken by something else: the foreign Redis runs on a free port only");
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : scripts) {
            if (p.isAlive()) {
                signalGroup(p.pid(), "-KILL");
            }
            p.waitFor(10, TimeUnit.SECONDS);
        }
        foreign.forEach(RedisServer::close);
    }

    @Test
    void startsItsOwnRedisAnswersAndCtrlCStopsEverythingItStarted() throws Exception {
        int port = FreePort.find();
        int demoPort = FreePort.find();
        Path log = Files.createTempFile("run-local-", ".log");
        Process script = start(Map.of("PORT", String.valueOf(port), "DEMO_PORT", String.valueOf(demoPort)), log);
        long t0 = System.nanoTime();
        Awaitility.await("run-local.sh says ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> read(log).contains("run-local: ready") || !script.isAlive());
        assertTrue(script.isAlive(), "run-local.sh ended before it was ready:\n" + read(log));
        System.out.printf("run-local.sh ready after %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // ready means ready: the first request after the line is answered by the demo backend
        String answer = rawGet(port, "anything");
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("hello from the demo backend"), answer);

        int ownRedis = ownRedisPort(read(log));
        for (RedisServer r : foreign) {
            assertNotEquals(r.port(), ownRedis, "the script's Redis must be its own");
        }
        List<Long> started = processesOfSession(script.pid());
        assertTrue(started.size() >= 4, "redis-server, the demo backend, the proxy and the script itself: " + started);

        signalGroup(script.pid(), "-INT");
        assertTrue(script.waitFor(30, TimeUnit.SECONDS), "run-local.sh still runs 30 s after Ctrl-C:\n" + read(log)
                + "\nthe proxy's output:\n" + proxyOutput(read(log)));
        Awaitility.await("every process run-local.sh started is gone").atMost(Duration.ofSeconds(15))
                .until(() -> processesOfSession(script.pid()).isEmpty());
        for (long pid : started) {
            assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "process " + pid + " survived Ctrl-C");
        }
        assertTrue(rawGet(port, "anything").contains("Connection refused"), "the proxy still listens on " + port);
        assertEquals(null, new RedisServer(ownRedis).command("PING"), "the script's redis-server still answers on " + ownRedis);

        assertForeignUntouched();
        Files.deleteIfExists(log);
    }

    @Test
    void refusesARedisPortWhereARedisAlreadyAnswers() throws Exception {
        RedisServer theirs = foreign.get(0);
        Path log = Files.createTempFile("run-local-", ".log");
        Process script = start(Map.of("PORT", String.valueOf(FreePort.find()), "DEMO_PORT", String.valueOf(FreePort.find()),
                "REDIS_PORT", String.valueOf(theirs.port())), log);
        assertTrue(script.waitFor(60, TimeUnit.SECONDS), "run-local.sh did not refuse:\n" + read(log));
        assertEquals(1, script.exitValue(), read(log));
        assertTrue(read(log).contains("a Redis already answers on port " + theirs.port()), read(log));
        assertForeignUntouched();
        Files.deleteIfExists(log);
    }

    private void assertForeignUntouched() {
        for (RedisServer r : foreign) {
            assertEquals(FOREIGN_ROUTE, lrange(r, "frontend:*"), "frontend:* of the Redis on " + r.port());
            assertEquals(":1", r.command("SISMEMBER", "dead:*", "0"), "dead:* of the Redis on " + r.port());
            assertEquals(":2", r.command("DBSIZE"), "nothing else written to the Redis on " + r.port());
        }
    }

    private static RedisServer seeded(RedisServer r) {
        r.command("RPUSH", "frontend:*", FOREIGN_ROUTE.get(0), FOREIGN_ROUTE.get(1));
        r.command("SADD", "dead:*", "0");
        return r;
    }

    /** The list through redis-cli, which the machine has (the script needs it too). */
    private static List<String> lrange(RedisServer r, String key) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(r.port()), "LRANGE", key, "0", "-1")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Starts the script in a session of its own (setsid): its pid is its process group, as a terminal job's would be. */
    private Process start(Map<String, String> env, Path log) throws IOException {
        // as a terminal starts it: with SIGINT at its default. A test JVM run from a background job
        // (a CI runner, nohup) passes SIGINT on ignored, and a shell cannot trap a signal ignored
        // at its start, so Ctrl-C would reach the script as nothing at all
        ProcessBuilder pb = new ProcessBuilder("setsid", "python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                "bash", ROOT.resolve("docker/run-local.sh").toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("REDIS_PORT");
        pb.environment().putAll(env);
        Process p = pb.start();
        scripts.add(p);
        return p;
    }

    private static int ownRedisPort(String log) {
        Matcher m = Pattern.compile("starting redis-server on 127\\.0\\.0\\.1:(\\d+)").matcher(log);
        assertTrue(m.find(), "no 'starting redis-server' line:\n" + log);
        return Integer.parseInt(m.group(1));
    }

    /** Every process of the session the script leads (setsid made its pid the session id). */
    private static List<Long> processesOfSession(long sid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-s", String.valueOf(sid)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.matches("\\d+")).map(Long::parseLong).toList();
    }

    private static void signalGroup(long pgid, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", signal, "--", "-" + pgid).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    private static boolean isFree(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A request with any Host header: the whole response, or the error. */
    private static String rawGet(int port, String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The proxy's stdout.log, in the directory the script names ("its logs: DIR)"). */
    private static String proxyOutput(String scriptLog) {
        Matcher m = Pattern.compile("its logs: ([^)]+)\\)").matcher(scriptLog);
        return m.find() ? read(Path.of(m.group(1), "stdout.log")) : "(no log directory named)";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
