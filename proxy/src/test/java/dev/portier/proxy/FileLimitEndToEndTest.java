package dev.portier.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy at its file-descriptor limit ({@code prlimit} on a proxy process of its own): a request
 * that needs a new backend connection gets a prompt 503, the backend is not marked dead, and once
 * descriptors are free again the same request is served.
 */
class FileLimitEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private final List<Process> processes = new ArrayList<>();
    private final List<WireMockServer> backends = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        backends.forEach(WireMockServer::stop);
    }

    private WireMockServer backend() {
        WireMockServer b = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        b.start();
        b.stubFor(WireMock.get(WireMock.anyUrl()).willReturn(WireMock.aResponse().withStatus(200).withBody("ok")));
        backends.add(b);
        return b;
    }

    @Test
    void aRequestNeedingABackendSocketAtTheLimitGets503AndNoDeadMark(@TempDir Path tmp) throws Exception {
        redis.sync().rpush("frontend:warm.test", "warm", "http://127.0.0.1:" + backend().port());
        // two backends: a frontend with one is never marked dead, so the check below could not fail
        WireMockServer freshA = backend();
        WireMockServer freshB = backend();
        redis.sync().rpush("frontend:fresh.test", "fresh", "http://127.0.0.1:" + freshA.port(),
                "http://127.0.0.1:" + freshB.port());
        redis.sync().rpush("frontend:refused.test", "refused", "http://127.0.0.1:" + FreePort.find());

        int port = FreePort.find();
        Path log = tmp.resolve("proxy.log");
        Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=logback.xml",
                // classes from jars opened at start: a class file read at the limit would fail to load
                "-cp", jarredClassPath(tmp), "dev.portier.proxy.Main",
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--redis", redis.driverUrl(),
                "--admin-port", "-1", "--workers", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(proxy);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("ready:"));

        // every path the limited request takes, once, while descriptors are plenty: answering an
        // error of our own, and connecting (after the refused socket is closed: its close would free
        // a descriptor later). The client stays connected throughout, so it needs no descriptor.
        try (RawClient c = new RawClient(port)) {
            assertEquals(502, c.send(get("refused.test")).read().status());
            assertEquals(200, c.send(get("warm.test")).read().status());

            long pid = proxy.pid();
            String softBefore = softFileLimit(pid);
            // no descriptor left: the next backend connection gets none
            prlimit(pid, lowestFreeDescriptor(pid));
            try {
                RawHttp.Message r = c.send(get("fresh.test")).read();
                assertEquals(503, r.status(), r.firstLine());
                assertEquals("1", r.header("retry-after"));
            } finally {
                prlimit(pid, softBefore);
            }
            // round robin over both: neither was marked dead (the proxy's own marks apply at once)
            for (int i = 0; i < 4; i++) {
                RawHttp.Message r = c.send(get("fresh.test")).read();
                assertEquals(200, r.status(), r.firstLine());
            }
            assertEquals(2, freshA.getAllServeEvents().size(), "requests at the first backend");
            assertEquals(2, freshB.getAllServeEvents().size(), "requests at the second backend");
            assertEquals(0, redis.sync().exists("dead:fresh.test"), "a backend was marked dead for our own shortage");
        }
        String text = Files.readString(log);
        assertTrue(text.contains("no socket for a backend connection"), text);
        assertTrue(text.contains("ulimit -n"), text);
        assertTrue(!text.contains("An exception was thrown by"), text);
    }

    private static String get(String host) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    private static int lowestFreeDescriptor(long pid) throws IOException {
        Set<Integer> open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            open = fds.map(p -> Integer.parseInt(p.getFileName().toString())).collect(Collectors.toSet());
        }
        int fd = 0;
        while (open.contains(fd)) {
            fd++;
        }
        return fd;
    }

    private static String softFileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        }
        throw new IllegalStateException("no open-files limit for " + pid);
    }

    private static void prlimit(long pid, Object soft) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + soft + ":")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    /** This JVM's class path with each directory packed into a jar. */
    private static String jarredClassPath(Path tmp) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path dir = Path.of(entry);
            if (!Files.isDirectory(dir)) {
                entries.add(entry);
                continue;
            }
            Path jar = tmp.resolve("classes-" + n++ + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                 Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                    Files.copy(f, (OutputStream) out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
