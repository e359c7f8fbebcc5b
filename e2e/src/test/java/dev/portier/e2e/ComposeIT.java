package dev.portier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/compose.yaml} run for real with Debian's {@code docker-compose} (v1) on the engine:
 * the images built locally (build-images.sh --local, no registry), a project name, instance and
 * ports of this run's own, {@code up -d}, a route written to the compose Redis, a request through
 * the compose proxy to a backend on 127.0.0.1, then {@code down -v}. Everything it made is removed
 * even when it fails; the local base images (portier-local/*) stay for reuse.
 */
class ComposeIT {

    private static final Path ROOT = Path.of(System.getProperty("portier.root", "..")).toAbsolutePath().normalize();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "portier-compose-" + run + "/";
    private final String project = "portiercompose" + run;

    @Test
    void upRequestDown() throws Exception {
        Path logs = Files.createTempDirectory("portier-compose-logs-");
        int redisPort = FreePort.find();
        int proxyPort = FreePort.find();
        Map<String, String> env = new HashMap<>(Map.of("PORTIER_IMAGE_PREFIX", prefix, "PORTIER_TAG", "test",
                "PORTIER_INSTANCE", project, "REDIS_PORT", String.valueOf(redisPort), "PROXY_PORT", String.valueOf(proxyPort),
                "PROXY_BIND", "127.0.0.1", "LOG_ROOT", logs.toString()));
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", x -> {
            byte[] body = "through compose\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        backend.start();
        try {
            exec(Map.of("IMAGE_PREFIX", prefix, "TAG", "test"), "bash", "docker/build-images.sh", "--local", "--no-examples");
            for (String service : List.of("redis", "proxy")) {
                Files.createDirectories(logs.resolve(service));
                // the images run as uid 10001, which must own the host's log directories
                exec(Map.of(), "chown", "10001:10001", logs.resolve(service).toString());
            }
            long t = System.nanoTime();
            exec(env, compose("up", "-d", "--no-build"));
            Awaitility.await("the compose proxy answers __ping__").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> rawGet(proxyPort, "__ping__").startsWith("HTTP/1.1 200"));
            System.out.printf("compose up to proxy ready: %.1f s%n", (System.nanoTime() - t) / 1e9);

            RedisServer redis = new RedisServer(redisPort);
            assertEquals(":2", redis.command("RPUSH", "frontend:compose.test", "compose",
                    "http://127.0.0.1:" + backend.getAddress().getPort()));
            Awaitility.await("a request through the compose proxy reaches the backend").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> rawGet(proxyPort, "compose.test").contains("through compose"));
            String ps = exec(env, compose("ps"));
            assertTrue(ps.contains(project + "-redis") && ps.contains(project + "-proxy"), ps);
            assertTrue(Files.list(logs.resolve("proxy")).anyMatch(p -> p.getFileName().toString().endsWith(".access.log")),
                    "the proxy's day files land in LOG_ROOT/proxy");

            exec(env, compose("down", "-v"));
            assertEquals("", exec(Map.of(), "docker", "ps", "-aq", "--filter", "label=com.docker.compose.project=" + project).trim(),
                    "down removed the containers");
            assertTrue(rawGet(proxyPort, "compose.test").contains("Connection refused"), "the proxy is gone");
        } finally {
            backend.stop(0);
            cleanUp(env);
            deleteTree(logs);
        }
    }

    private String[] compose(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", project, "-f", ROOT.resolve("docker/compose.yaml").toString()));
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    /** down -v again (harmless when done), then this run's images; reports, never throws. */
    private void cleanUp(Map<String, String> env) {
        try {
            execAnyExit(env, compose("down", "-v", "--remove-orphans"));
            String ids = execAnyExit(Map.of(), "docker", "ps", "-aq", "--filter", "label=com.docker.compose.project=" + project).trim();
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
                rm.addAll(ids.lines().toList());
                execAnyExit(Map.of(), rm.toArray(new String[0]));
            }
            List<String> images = execAnyExit(Map.of(), "docker", "images", "--format", "{{.Repository}}:{{.Tag}}").lines()
                    .filter(l -> l.startsWith(prefix)).toList();
            if (!images.isEmpty()) {
                List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "-f"));
                rmi.addAll(images);
                execAnyExit(Map.of(), rmi.toArray(new String[0]));
            }
        } catch (Exception e) {
            System.out.println("compose cleanup failed: " + e);
        }
    }

    private static String exec(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    private static String execAnyExit(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(5, TimeUnit.MINUTES);
        return out;
    }

    private static String rawGet(int port, String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }
}
