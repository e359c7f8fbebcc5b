package dev.portier.deploy.testing;

import static org.awaitility.Awaitility.await;

import dev.portier.deploy.rollout.ProxyProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The proxy as its own OS process, from its runnable jar ({@code java -jar portier-proxy-all.jar}),
 * listening on a free loopback port; its stdout and stderr go to a file under {@code target/} that
 * {@link #log()} returns for failure messages. {@link #close()} sends SIGTERM (the proxy drains),
 * then kills it when it is not gone within {@link #STOP_DEADLINE}.
 */
public final class ProxyProcess implements AutoCloseable {

    /** System property naming the runnable jar; the deployer's surefire configuration sets it. */
    public static final String JAR_PROPERTY = "portier.proxyJar";
    /** System property naming the directory of the processes' output files. */
    public static final String LOG_DIR_PROPERTY = "portier.proxyLogDir";
    /** How long a started proxy may take to answer {@code Host: __ping__}. */
    public static final Duration READY_DEADLINE = Duration.ofSeconds(60);
    /** How long SIGTERM may take before the process is killed. */
    public static final Duration STOP_DEADLINE = Duration.ofSeconds(20);

    /** The environment variables the proxy passes on to the JVM; the others could be settings (PORT, REDIS_URL, ...). */
    private static final List<String> KEPT_ENV = List.of("PATH", "HOME", "LANG", "TMPDIR");
    /** A free port found here may be taken by another process before the proxy binds it: that many tries. */
    private static final int START_TRIES = 3;

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private final Thread killOnExit;

    private ProxyProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
        // a test JVM that ends without closing (System.exit, SIGINT) leaves no proxy behind
        this.killOnExit = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code java -jar portier-proxy-all.jar --port <free> --bind 127.0.0.1 --workers 1 --redis
     * redisUrl --admin-port -1 extraArgs...} (a later flag wins, so {@code extraArgs} may override) and
     * returns once it answers {@code Host: __ping__} with 200.
     */
    public static ProxyProcess start(String name, String redisUrl, String... extraArgs) {
        Path jar = jar();
        AssertionError last = null;
        for (int i = 0; i < START_TRIES; i++) {
            ProxyProcess p = launch(name, jar, freePort(), redisUrl, extraArgs);
            try {
                p.awaitReady();
                return p;
            } catch (PortTaken e) {
                last = e;
                p.close();
            } catch (RuntimeException | Error e) {
                p.close();
                throw e;
            }
        }
        throw last;
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty(JAR_PROPERTY, "../proxy/target/portier-proxy-all.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the proxy's runnable jar " + jar + " is missing: build it first "
                    + "(mvn -pl common,proxy,deployer -am verify builds it before the deployer's tests; "
                    + "or mvn -pl common,proxy -am package -DskipTests), or name it with -D" + JAR_PROPERTY + "=FILE");
        }
        return jar;
    }

    private static ProxyProcess launch(String name, Path jar, int port, String redisUrl, String... extraArgs) {
        try {
            Path dir = Path.of(System.getProperty(LOG_DIR_PROPERTY, "target/proxy-processes")).toAbsolutePath();
            Files.createDirectories(dir);
            Path log = dir.resolve("proxy-" + name + "-" + port + ".log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--workers", "1",
                    "--redis", redisUrl, "--admin-port", "-1"));
            cmd.addAll(List.of(extraArgs));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().retainAll(KEPT_ENV);
            Files.writeString(log, "");
            return new ProxyProcess(name, pb.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        URI uri = URI.create("http://127.0.0.1:" + port);
        try {
            await("proxy " + name + " answering Host: __ping__").atMost(READY_DEADLINE).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            String text = log();
                            String why = "proxy " + name + " exited with " + process.exitValue() + " before it was ready\n" + text;
                            throw text.contains("Address already in use") ? new PortTaken(why) : new AssertionError(why);
                        }
                        return ProxyProbe.get(uri, "__ping__", "/", Map.of(), Duration.ofSeconds(2)).status() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("proxy " + name + " did not answer Host: __ping__ on port " + port + " within "
                    + READY_DEADLINE.toSeconds() + " s\n" + log(), e);
        }
    }

    /** The port of its HTTP listener on 127.0.0.1. */
    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** What it wrote to stdout and stderr so far, for failure messages. */
    public String log() {
        try {
            return "--- " + log + " ---\n" + Files.readString(log);
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL when it has not exited within {@link #STOP_DEADLINE}; waits for the end either way. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** The proxy could not bind the port found free: another process took it meanwhile. */
    private static final class PortTaken extends AssertionError {
        PortTaken(String message) {
            super(message);
        }
    }
}
