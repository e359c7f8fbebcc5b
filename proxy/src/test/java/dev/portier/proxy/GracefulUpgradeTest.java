package dev.portier.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.portier.common.testing.FreePort;
import dev.portier.common.testing.RedisServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Upgrading the proxy process under load: a second one on the same port, then SIGTERM to the first. */
class GracefulUpgradeTest {

    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private final List<Process> processes = new ArrayList<>();
    private WireMockServer backend;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (backend != null) {
            backend.stop();
        }
    }

    private Process proxy(int port, Path log) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the production logging config (the test one is quiet), so "ready:" and "draining" show
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), "dev.portier.proxy.Main",
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--redis", redis.driverUrl(),
                "--admin-port", "-1", "--workers", "2")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    @Test
    void aSecondProxyTakesOverWhileTheFirstDrainsAndNoRequestFails(@TempDir Path tmp) throws Exception {
        backend = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        backend.start();
        backend.stubFor(WireMock.get(WireMock.anyUrl()).willReturn(WireMock.aResponse().withStatus(200).withBody("ok")));
        redis.sync().rpush("frontend:up.test", "app", "http://127.0.0.1:" + backend.port());

        int port = FreePort.find();
        Path firstLog = tmp.resolve("first.log");
        Path secondLog = tmp.resolve("second.log");
        Process first = proxy(port, firstLog);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(firstLog).contains("ready:"));

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        ExecutorService load = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            load.submit(() -> {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .header("Host", "up.test").timeout(Duration.ofSeconds(10)).build();
                while (running.get()) {
                    try {
                        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add("status " + r.statusCode());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(10)).alias("load through the first proxy").until(() -> {
            assertEquals(List.of(), List.copyOf(failures.subList(0, Math.min(3, failures.size()))));
            return ok.get() > 200;
        });

        Process second = proxy(port, secondLog);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(secondLog).contains("ready:"));
        long beforeTerm = ok.get();
        first.destroy(); // SIGTERM: drain
        assertTrue(first.waitFor(40, TimeUnit.SECONDS), "the first proxy drains and exits");
        long afterExit = ok.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > afterExit + 200);
        running.set(false);
        load.shutdown();
        assertTrue(load.awaitTermination(20, TimeUnit.SECONDS));

        System.out.printf("graceful upgrade: %d requests ok (%d before SIGTERM, %d until the first exited), %d failed%n",
                ok.get(), beforeTerm, afterExit, failures.size());
        assertEquals(List.of(), failures);
        assertEquals(0, first.exitValue(), "SIGTERM ends in a clean exit: " + Files.readString(firstLog));
        assertTrue(second.isAlive());
        assertTrue(Files.readString(firstLog).contains("draining"), Files.readString(firstLog));
    }
}
