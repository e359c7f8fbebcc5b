package dev.portier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The old environment's life on one host, on the real Docker engine, from an empty host: the
 * images are built from docker/*.Dockerfile (local bases, the reactor's jars), then the deployer's
 * {@code watch --bootstrap} — a process from the runnable jar, as cron/systemd would run it —
 * starts Redis and the proxy as containers, deploys web v1, then v2 under continuous load through
 * the proxy (zero failed requests), refuses v3 which never gets healthy (v2 stays live), rolls back
 * to v1 when the wanted version says v1 again, and {@code prune} removes the rest. The logs land
 * in per-day files under a temporary stand-in for the host's /logs/&lt;service&gt;/.
 *
 * Everything is reached through 127.0.0.1 (the proxy runs with host networking, bound to
 * 127.0.0.1 on a free port standing in for port 80). Every container and image made here is
 * removed at the end, failed or not; the local base images (portier-local/*) stay for reuse.
 */
class HostLifeIT {

    private static final Path ROOT = Path.of(System.getProperty("portier.root", "..")).toAbsolutePath().normalize();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** Every image built here lives under this prefix: cleanup removes them by name. */
    private final String prefix = "portier-e2e-" + run + "/";
    private final String instance = "e2e-" + run;
    private final String app = "e2e" + run;
    /** The free port on 127.0.0.1 the proxy listens on, standing in for the host's port 80. */
    private int proxyPort;
    private final List<String> watchOutput = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aHostFromEmptyToRollback() throws Exception {
        Path tmp = Files.createTempDirectory("portier-e2e-");
        Path logs = tmp.resolve("logs");
        Path wanted = tmp.resolve("wanted-version");
        Path deployed = tmp.resolve("deployed-version");
        int redisPort = freePort();
        proxyPort = freePort();
        Process watch = null;
        try {
            long t = System.nanoTime();
            sh(Map.of("IMAGE_PREFIX", prefix, "TAG", "test"), "docker/build-images.sh", "--local");
            System.out.printf("images built in %.1f s%n", secondsSince(t));

            proxyImageBindsPort80AsNonRootAndGetsHealthy();
            deployerImageRuns();

            // --- the cron'd deployer, from an empty host
            Files.createDirectories(logs);
            List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", ROOT.resolve("deployer/target/portier-deployer-all.jar").toString(),
                    "--redis", "redis://127.0.0.1:" + redisPort, "--app", app,
                    "watch", "--bootstrap", "--instance", instance,
                    "--redis-image", prefix + "redis:test", "--proxy-image", prefix + "proxy:test",
                    "--redis-port", String.valueOf(redisPort), "--log-root", logs.toString(),
                    "--proxy-env", "PORT=" + proxyPort, "--proxy-env", "BIND=127.0.0.1",
                    "--image", prefix + "example-web", "--version-file", wanted.toString(), "--record-file", deployed.toString(),
                    "--interval", "1s", "--frontend", "*", "--backend-address", "127.0.0.1",
                    "--health-interval", "200ms", "--health-deadline", "4s", "--stop-timeout", "2s",
                    "--log-dir", logs.resolve("web").toString(), "--proxy-url", "http://127.0.0.1:" + proxyPort));
            watch = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            follow(watch.getInputStream());

            t = System.nanoTime();
            await("the proxy answers __ping__ on 127.0.0.1:" + proxyPort, Duration.ofSeconds(90),
                    () -> rawGet(proxyPort, "__ping__").startsWith("HTTP/1.1 200"));
            System.out.printf("bootstrap (Redis + proxy containers) to proxy ready: %.1f s%n", secondsSince(t));
            assertEquals(2, docker("ps", "-q", "--filter", "label=dev.portier.instance=" + instance).lines().count());

            // --- v1: health-checked and promoted
            t = System.nanoTime();
            Files.writeString(wanted, "v1\n");
            await("v1 live", Duration.ofSeconds(60), () -> "v1".equals(body()));
            System.out.printf("v1: version file written to first v1 answer: %.2f s%n", secondsSince(t));
            await("v1 recorded", Duration.ofSeconds(10), () -> read(deployed).equals("v1"));
            String v1Container = webContainers("v1").get(0);

            // --- v2 under continuous load
            Load load = new Load(proxyPort, 4);
            load.start();
            moreRequests(load, 200); // an observation window measured in requests, not time
            long v2Written = System.nanoTime();
            Files.writeString(wanted, "v2\n");
            await("v2 live", Duration.ofSeconds(60), () -> load.firstSeen("v2") > 0);
            await("v2 recorded", Duration.ofSeconds(10), () -> read(deployed).equals("v2"));
            moreRequests(load, 200); // an observation window measured in requests, not time
            double v1ToV2 = (load.firstSeen("v2") - v2Written) / 1e9;
            double v1Overlap = Math.max(0, load.lastSeen("v1") - load.firstSeen("v2")) / 1e6;

            // --- v3 never gets healthy: refused, v2 stays live
            Files.writeString(wanted, "v3\n");
            await("the deploy of v3 refused", Duration.ofSeconds(60), () -> output().contains("deploy of v3 failed"));
            long afterRefusal = System.nanoTime();
            moreRequests(load, 200); // an observation window measured in requests, not time
            assertEquals("v2", body(), "v2 must stay live after the refused v3");
            assertEquals(0, load.countSince("v3", 0), "v3 never receives traffic");
            assertTrue(load.countSince("v2", afterRefusal) > 0);
            assertEquals("v2", read(deployed));

            // --- rollback to v1: the wanted version names v1 again, watch promotes the kept v1 container
            long v1Written = System.nanoTime();
            load.resetFirstSeen("v1");
            Files.writeString(wanted, "v1\n");
            await("v1 live again", Duration.ofSeconds(60), () -> load.firstSeen("v1") > v1Written);
            double v2ToV1 = (load.firstSeen("v1") - v1Written) / 1e9;
            moreRequests(load, 200); // an observation window measured in requests, not time
            load.stop();
            assertTrue(output().contains("rolling back to kept container"), "watch rolled back instead of deploying anew");
            assertEquals(List.of(v1Container), webContainers("v1"), "the rollback reused the kept v1 container");
            await("v1 recorded", Duration.ofSeconds(10), () -> read(deployed).equals("v1"));

            System.out.printf("LOAD: %d requests, %d failed, 4 threads through 127.0.0.1:%d%n", load.requests.get(), load.failures.get(), proxyPort);
            System.out.printf("SWITCH v1->v2: version file to first v2 answer %.2f s (watch tick + pull-free start + health + promote); "
                    + "in-flight v1 answers up to %.0f ms after the first v2%n", v1ToV2, v1Overlap);
            System.out.printf("SWITCH v2->v1 (rollback to the kept container): version file to first v1 answer %.2f s%n", v2ToV1);
            assertEquals(0, load.failures.get(), "failed requests: " + load.lastError);

            // --- prune: the live v1 stays, the kept v2 goes with its image; no v3 left behind
            stop(watch);
            watch = null;
            String prune = cli(redisPort, "prune", "--frontend", "*", "--keep", "0", "--stop-timeout", "1s");
            System.out.println(prune);
            assertEquals(List.of(v1Container), webContainers(null), "after prune only the live v1 container is left");
            assertTrue(docker("images", "-q", prefix + "example-web:v2").isBlank(), "the v2 image was pruned");
            assertEquals("v1", body());

            // --- logs on the host, per day, per service
            assertDayLog(logs.resolve("proxy"), "proxy", "ready: routes from");
            assertDayLog(logs.resolve("redis"), "redis", "Ready to accept connections");
            assertDayLog(logs.resolve("web"), "request", "url:/");
            // one access line per request through port 80, next to the proxy's own log
            assertDayLog(logs.resolve("proxy"), "access", "\"GET / HTTP/1.1\" 200");
        } finally {
            if (watch != null) {
                stop(watch);
            }
            cleanUp();
            deleteTree(tmp);
        }
    }

    // ------------------------------------------------------------------ the images alone

    /** Port 80 inside its own network namespace, as uid 10001, and the HEALTHCHECK turns healthy. */
    private void proxyImageBindsPort80AsNonRootAndGetsHealthy() throws Exception {
        int port = freePort();
        String name = instance + "-port80";
        docker("run", "-d", "--name", name, "-p", "127.0.0.1:" + port + ":80", "--health-interval", "1s",
                "-e", "LOG_DIR=", prefix + "proxy:test");
        long t = System.nanoTime();
        await("the proxy image's HEALTHCHECK says healthy", Duration.ofSeconds(60),
                () -> quietly(() -> docker("inspect", "-f", "{{.State.Health.Status}}", name)).trim().equals("healthy"));
        System.out.printf("proxy image: healthy after %.1f s, port 80 bound as uid %s%n", secondsSince(t),
                docker("exec", name, "id", "-u").trim());
        assertEquals("10001", docker("exec", name, "id", "-u").trim());
        assertTrue(rawGet(port, "__ping__").startsWith("HTTP/1.1 200"), "__ping__ through the published port 80");
        docker("rm", "-f", name);
    }

    private void deployerImageRuns() throws Exception {
        String version = docker("run", "--rm", prefix + "deployer:test", "--version");
        assertTrue(version.contains("portier-deployer"), version);
        // the class-data sharing archive made in the image build maps (-Xshare:on refuses to start otherwise)
        String shared = docker("run", "--rm", "-e", "PORTIER_JAVA_OPTS=-Xshare:on", prefix + "deployer:test", "--version");
        assertEquals(version, shared);
    }

    // ------------------------------------------------------------------ load

    /** Threads sending GET / through the proxy without pause; notes what answered and when. */
    private static final class Load {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String lastError = "none";
        private final Map<String, AtomicLong> first = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> last = new ConcurrentHashMap<>();
        private final Map<String, List<Long>> times = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final int port;

        Load(int port, int threads) {
            this.port = port;
            for (int i = 0; i < threads; i++) {
                this.threads.add(new Thread(this::loop, "load-" + i));
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        private void loop() {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(5)).build();
            while (running.get()) {
                try {
                    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                    long now = System.nanoTime();
                    requests.incrementAndGet();
                    if (r.statusCode() != 200) {
                        failures.incrementAndGet();
                        lastError = r.statusCode() + " " + r.body();
                        continue;
                    }
                    String v = r.body().trim();
                    first.computeIfAbsent(v, k -> new AtomicLong()).compareAndSet(0, now);
                    last.computeIfAbsent(v, k -> new AtomicLong()).accumulateAndGet(now, Math::max);
                    times.computeIfAbsent(v, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(now);
                } catch (IOException e) {
                    requests.incrementAndGet();
                    failures.incrementAndGet();
                    lastError = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long firstSeen(String v) {
            AtomicLong a = first.get(v);
            return a == null ? 0 : a.get();
        }

        long lastSeen(String v) {
            AtomicLong a = last.get(v);
            return a == null ? 0 : a.get();
        }

        void resetFirstSeen(String v) {
            first.remove(v);
        }

        long countSince(String v, long since) {
            List<Long> l = times.get(v);
            if (l == null) {
                return 0;
            }
            synchronized (l) {
                return l.stream().filter(x -> x >= since).count();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private String body() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body().trim() : "HTTP " + r.statusCode();
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }


    /** A request with any Host (HttpClient refuses to set one): the whole response as text, or the error. */
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

    /** Web containers of this run's app (any state), optionally of one version, by name. */
    private List<String> webContainers(String version) throws Exception {
        List<String> args = new ArrayList<>(List.of("ps", "-a", "--format", "{{.Names}}", "--filter", "label=dev.portier.app=" + app));
        if (version != null) {
            args.addAll(List.of("--filter", "label=dev.portier.version=" + version));
        }
        return docker(args.toArray(new String[0])).lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    private String cli(int redisPort, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", ROOT.resolve("deployer/target/portier-deployer-all.jar").toString(),
                "--redis", "redis://127.0.0.1:" + redisPort, "--app", app));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, Map.of(), true);
    }

    private static void assertDayLog(Path dir, String name, String expected) throws IOException {
        assertTrue(Files.isDirectory(dir), dir + " missing");
        List<Path> days;
        try (Stream<Path> files = Files.list(dir)) {
            days = files.filter(p -> p.getFileName().toString().matches("\\d{4}-\\d{2}-\\d{2}\\." + name + "\\.log")).toList();
        }
        assertFalse(days.isEmpty(), "no <day>." + name + ".log in " + dir);
        String all = "";
        for (Path p : days) {
            all += Files.readString(p);
        }
        assertTrue(all.contains(expected), days + " lacks '" + expected + "'");
        System.out.printf("logs: %s (%d lines)%n", days.stream().map(p -> dir.getFileName() + "/" + p.getFileName()).toList(),
                all.lines().count());
    }

    private void follow(InputStream in) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println("[watch] " + line);
                    synchronized (watchOutput) {
                        watchOutput.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "watch-output");
        t.setDaemon(true);
        t.start();
    }

    private String output() {
        synchronized (watchOutput) {
            return String.join("\n", watchOutput);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Removes every container and image this run made, whatever state the test left them in. */
    private void cleanUp() {
        try {
            List<String> ids = new ArrayList<>();
            for (String filter : List.of("label=dev.portier.instance=" + instance, "label=dev.portier.app=" + app, "name=" + instance)) {
                docker("ps", "-aq", "--filter", filter).lines().filter(l -> !l.isBlank()).forEach(ids::add);
            }
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f", "-v"));
                rm.addAll(ids.stream().distinct().toList());
                docker(rm.toArray(new String[0]));
            }
            List<String> images = docker("images", "--format", "{{.Repository}}:{{.Tag}}").lines()
                    .filter(l -> l.startsWith(prefix)).toList();
            if (!images.isEmpty()) {
                List<String> rmi = new ArrayList<>(List.of("rmi", "-f"));
                rmi.addAll(images);
                docker(rmi.toArray(new String[0]));
            }
            String left = docker("images", "--format", "{{.Repository}}").lines().filter(l -> l.startsWith(prefix)).findAny().orElse("");
            System.out.println("cleanup: removed " + ids.stream().distinct().count() + " containers and " + images.size() + " images"
                    + (left.isEmpty() ? "" : "; LEFT " + left));
        } catch (Exception e) {
            System.out.println("cleanup failed: " + e);
        }
    }

    private interface Call {
        String call() throws Exception;
    }

    /** For conditions polled by await: a failing command reads as an empty answer. */
    private static String quietly(Call c) {
        try {
            return c.call();
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    private static String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, Map.of(), false);
    }

    private static void sh(Map<String, String> env, String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve(script).toString()));
        cmd.addAll(Arrays.asList(args));
        System.out.println(exec(cmd, env, false));
    }

    /** Runs a command from the repository root; fails the test on a non-zero exit unless allowed. */
    private static String exec(List<String> cmd, Map<String, String> env, boolean anyExit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        if (!anyExit && p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(condition::getAsBoolean);
    }

    /** Waits until the load generator has sent {@code n} more requests. */
    private static void moreRequests(Load load, long n) {
        long from = load.requests.get();
        await(n + " more requests", Duration.ofSeconds(30), () -> load.requests.get() >= from + n);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }
}
