package dev.portier.deploy.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.portier.common.BackendUrl;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.SentinelGroup;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.rollout.ProxyProbe;
import dev.portier.deploy.testing.DockerHarness;
import dev.portier.deploy.testing.ProxyProcess;
import dev.portier.deploy.testing.TestEngineHost;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One deploy, three Docker engines, each a test host of its own (network namespace, veth, its own
 * dockerd), two proxy processes (the runnable jar) in front sharing one Redis Sentinel group: a deploy and a rollback under load lose
 * no request; a host that never gets healthy, or whose engine dies mid-deploy, promotes nothing
 * anywhere and leaves no new container behind; watch brings a host that came back to the live version.
 */
class FleetDeployTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private static final List<TestEngineHost> HOSTS = new ArrayList<>();
    private static Path hostsFile;
    private static SentinelGroup sentinels;

    private final List<ProxyProcess> proxies = new ArrayList<>();

    @BeforeAll
    static void startHosts() throws Exception {
        sentinels = new SentinelGroup().start();
        List<CompletableFuture<TestEngineHost>> starting = new ArrayList<>();
        for (String name : List.of("h1", "h2", "h3")) {
            starting.add(CompletableFuture.supplyAsync(() -> TestEngineHost.start(name)));
        }
        StringBuilder yaml = new StringBuilder("hosts:\n");
        RuntimeException failed = null;
        for (CompletableFuture<TestEngineHost> f : starting) {
            try {
                HOSTS.add(f.join());
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        if (failed != null) {
            throw failed;
        }
        for (TestEngineHost h : HOSTS) {
            h.load(H.docker, H.images.v1(), H.images.v2(), H.images.sick());
            yaml.append(h.hostsEntry());
        }
        hostsFile = Files.createTempFile("portier-hosts-", ".yml");
        Files.writeString(hostsFile, yaml);
    }

    @AfterAll
    static void stopHosts() throws Exception {
        HOSTS.forEach(TestEngineHost::close);
        HOSTS.clear();
        if (sentinels != null) {
            sentinels.close();
        }
        if (hostsFile != null) {
            Files.deleteIfExists(hostsFile);
        }
    }

    @BeforeEach
    void startProxies() {
        List<CompletableFuture<ProxyProcess>> starting = new ArrayList<>();
        for (String name : List.of("p1", "p2")) {
            starting.add(CompletableFuture.supplyAsync(() -> ProxyProcess.start(name, sentinels.driverUrl())));
        }
        RuntimeException failed = null;
        for (CompletableFuture<ProxyProcess> f : starting) {
            try {
                proxies.add(f.join());
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    @AfterEach
    void stopProxies() {
        try {
            proxies.forEach(ProxyProcess::close);
        } finally {
            proxies.clear();
        }
        HOSTS.forEach(TestEngineHost::restartEngine);
        for (TestEngineHost h : HOSTS) {
            containers(h).forEach(c -> h.docker().removeContainerCmd(c.getId()).withForce(true).exec());
        }
    }

    /** The CLI on the fleet, with the Sentinel group the proxies read (the last --redis wins). */
    private DockerHarness.Run fleet(String... args) {
        List<String> a = new ArrayList<>(List.of("--hosts", hostsFile.toString(), "--redis", sentinels.driverUrl()));
        a.addAll(List.of(args));
        return H.cli(a.toArray(new String[0]));
    }

    private DockerHarness.Run deploy(String image, String... extra) {
        List<String> a = new ArrayList<>(H.deployArgs(image, "fleet.test", extra));
        return fleet(a.toArray(new String[0]));
    }

    /** This test's containers on one host. */
    private List<Container> containers(TestEngineHost h) {
        return h.docker().listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.APP, H.app)).exec();
    }

    /** The frontend's list on the group's master. */
    private static List<String> list() {
        try (RedisClient c = RedisClient.create(RedisDriverUrl.parse(sentinels.driverUrl()).toRedisUri(Duration.ofSeconds(5)));
             StatefulRedisConnection<String, String> conn = c.connect()) {
            return conn.sync().lrange("frontend:fleet.test", 0, -1);
        }
    }

    /** Both proxies' output, for failure messages. */
    private String proxyLogs() {
        return proxies.stream().map(ProxyProcess::log).collect(Collectors.joining("\n"));
    }

    private List<String> backends() {
        List<String> l = list();
        return l.isEmpty() ? l : l.subList(1, l.size());
    }

    /** One backend per host, in the hosts file's order, each on its host's address. */
    private void assertOneBackendPerHost() {
        List<String> b = backends();
        assertEquals(HOSTS.size(), b.size(), b.toString());
        for (int i = 0; i < HOSTS.size(); i++) {
            assertEquals(HOSTS.get(i).address(), BackendUrl.parse(b.get(i)).host(), b.toString());
        }
    }

    @Test
    void v1ThenV2OnThreeEnginesUnderLoadThroughTwoProxiesLoseNoRequestAndSpreadOverEveryHost() throws Exception {
        DockerHarness.Run v1 = deploy(H.images.v1());
        assertEquals(0, v1.exit(), v1.all());
        assertOneBackendPerHost();

        Load load = new Load(proxies);
        load.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.backendsOf("v1").size() == HOSTS.size());
            long deployStart = System.nanoTime();
            DockerHarness.Run v2 = deploy(H.images.v2(), "--proxy-url", "http://127.0.0.1:" + proxies.get(0).port());
            long deployNanos = System.nanoTime() - deployStart;
            assertEquals(0, v2.exit(), v2.all());
            DockerHarness.Run status = fleet("status", "--frontend", "fleet.test");
            assertEquals(0, status.exit(), status.all());
            for (TestEngineHost h : HOSTS) {
                assertTrue(status.out().contains(h.name() + " (" + h.address() + ")"), status.out());
            }
            assertTrue(status.out().matches("(?s).*\\n  v2 +\\*running healthy.*"), status.out());
            assertOneBackendPerHost();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.backendsOf("v2").size() == HOSTS.size());
            // read by bench/fleet-deploy.sh
            System.out.printf("fleet-deploy hosts=%d proxies=%d requests=%d failed=%d deploy_s=%.1f switch_window_ms=%.1f%n",
                    HOSTS.size(), proxies.size(), load.count(), load.failures().size(), deployNanos / 1e9, load.switchWindowMillis("v1", "v2"));

            DockerHarness.Run back = fleet("rollback", "--frontend", "fleet.test", "--health-interval", "200ms",
                    "--health-deadline", "5s");
            assertEquals(0, back.exit(), back.all());
            assertOneBackendPerHost();
            load.mark();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.backendsSinceMarkOf("v1").size() == HOSTS.size());
        } finally {
            load.stop();
        }
        assertEquals(List.of(), load.failures(), () -> "failed requests during the fleet deploy and rollback\n" + proxyLogs());
        assertTrue(load.count() > 50, "too little load to prove anything: " + load.count());
        for (TestEngineHost h : HOSTS) {
            assertEquals(2, containers(h).size(), "kept on " + h.name() + ": v1 and v2");
        }
    }

    @Test
    void aHostThatNeverGetsHealthyPromotesNothingAnywhereAndItsContainersGoOnEveryEngine() {
        assertEquals(0, deploy(H.images.v1()).exit());
        List<String> before = list();
        // the same tag is healthy on h1 and h2, never healthy on h3
        String v3 = H.images.repo + ":v3";
        HOSTS.get(0).docker().tagImageCmd(H.images.v1(), H.images.repo, "v3").exec();
        HOSTS.get(1).docker().tagImageCmd(H.images.v1(), H.images.repo, "v3").exec();
        HOSTS.get(2).docker().tagImageCmd(H.images.sick(), H.images.repo, "v3").exec();

        DockerHarness.Run r = deploy(v3);

        assertEquals(ExitCode.DEPLOY_FAILED, r.exit(), r.all());
        assertTrue(r.err().contains("host h3: never healthy"), r.err());
        assertEquals(before, list(), "nothing promoted");
        for (TestEngineHost h : HOSTS) {
            assertEquals(List.of("v1"), containers(h).stream().map(c -> c.getLabels().get(Labels.VERSION)).toList(), h.name());
        }
        DockerHarness.Run history = fleet("history", "--frontend", "fleet.test", "--limit", "2");
        assertEquals(0, history.exit(), history.all());
        assertTrue(history.out().matches("(?s).*deploy +v3 +refused.*never healthy.*deploy +v1 +success.*"), history.out());
    }

    @Test
    void anEngineKilledMidDeployFailsItNamingTheHostAndWatchBringsTheHostBackToTheLiveVersion() throws Exception {
        assertEquals(0, deploy(H.images.v1()).exit());
        List<String> before = list();
        TestEngineHost h3 = HOSTS.get(2);
        String v4 = H.images.repo + ":v4";
        HOSTS.get(0).docker().tagImageCmd(H.images.v2(), H.images.repo, "v4").exec();
        HOSTS.get(1).docker().tagImageCmd(H.images.v2(), H.images.repo, "v4").exec();
        h3.docker().tagImageCmd(H.images.sick(), H.images.repo, "v4").exec();

        CompletableFuture<DockerHarness.Run> running = CompletableFuture.supplyAsync(
                () -> deploy(v4, "--health-deadline", "60s"));
        await().atMost(Duration.ofSeconds(30)).until(() -> containers(h3).stream()
                .anyMatch(c -> "v4".equals(c.getLabels().get(Labels.VERSION)) && "running".equals(c.getState())));
        h3.killEngine();
        DockerHarness.Run r = running.get();

        assertEquals(ExitCode.DOCKER_UNAVAILABLE, r.exit(), r.all());
        assertTrue(r.err().contains("host h3:"), r.err());
        assertEquals(before, list(), "nothing promoted");
        for (TestEngineHost h : HOSTS.subList(0, 2)) {
            assertEquals(List.of("v1"), containers(h).stream().map(c -> c.getLabels().get(Labels.VERSION)).toList(), h.name());
        }

        // back up: its containers were stopped by the restart, so its entry in the list leads nowhere
        h3.restartEngine();
        Path wanted = Files.createTempFile("portier-wanted-", ".txt");
        try {
            Files.writeString(wanted, "v1\n");
            DockerHarness.Run w = fleet("watch", "--once", "--image", H.images.repo, "--version-file", wanted.toString(),
                    "--frontend", "fleet.test", "--backend-address", "127.0.0.1", "--health-interval", "200ms",
                    "--health-deadline", "5s", "--log-dir", H.logDir.toString());
            assertEquals(0, w.exit(), w.all());
        } finally {
            Files.deleteIfExists(wanted);
        }
        assertOneBackendPerHost();
        assertEquals(before.subList(0, 3), list().subList(0, 3), "h1 and h2 untouched");
        String h3Backend = backends().get(2);
        assertEquals(200, ProxyProbe.get(URI.create(BackendUrl.parse(h3Backend).raw()), "fleet.test", "/health", Map.of(),
                Duration.ofSeconds(2)).status());
    }

    /** Requests through the proxies in turn, without pause, each answer's version and backend kept. */
    static final class Load {
        record Sample(String version, String backend, String error, boolean afterMark, long start, long end) {
        }

        private final List<ProxyProcess> proxies;
        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicBoolean marked = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Load(List<ProxyProcess> proxies) {
            this.proxies = proxies;
        }

        void start() {
            for (int i = 0; i < 4; i++) {
                URI proxy = URI.create("http://127.0.0.1:" + proxies.get(i % proxies.size()).port());
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        boolean after = marked.get();
                        long t0 = System.nanoTime();
                        try {
                            ProxyProbe.Answer a = ProxyProbe.get(proxy, "fleet.test", "/", Map.of("X-Debug", "1"), Duration.ofSeconds(5));
                            samples.add(a.status() == 200
                                    ? new Sample(a.body().trim(), a.headers().get("x-debug-backend-url"), null, after, t0, System.nanoTime())
                                    : new Sample(null, a.headers().get("x-debug-backend-url"), "HTTP " + a.status(), after, t0,
                                            System.nanoTime()));
                        } catch (Exception e) {
                            samples.add(new Sample(null, null, e.toString(), after, t0, System.nanoTime()));
                        }
                    }
                }, "fleet-load-" + i);
                t.start();
                threads.add(t);
            }
        }

        void mark() {
            marked.set(true);
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        /**
         * How long both versions answered side by side (through either proxy): from the first
         * request answered by {@code to} to the last one answered by {@code from} that began after it.
         */
        double switchWindowMillis(String from, String to) {
            synchronized (samples) {
                long first = samples.stream().filter(s -> to.equals(s.version())).mapToLong(Sample::start).min().orElse(0);
                long last = samples.stream().filter(s -> from.equals(s.version()) && s.start() >= first)
                        .mapToLong(Sample::end).max().orElse(first);
                return (last - first) / 1e6;
            }
        }

        int count() {
            return samples.size();
        }

        List<String> failures() {
            synchronized (samples) {
                return samples.stream().filter(s -> s.error() != null).map(s -> s.error() + " from " + s.backend()).toList();
            }
        }

        Set<String> backendsOf(String version) {
            synchronized (samples) {
                Set<String> out = new HashSet<>();
                samples.stream().filter(s -> version.equals(s.version())).forEach(s -> out.add(s.backend()));
                return out;
            }
        }

        Set<String> backendsSinceMarkOf(String version) {
            synchronized (samples) {
                Set<String> out = new HashSet<>();
                samples.stream().filter(s -> s.afterMark() && version.equals(s.version())).forEach(s -> out.add(s.backend()));
                return out;
            }
        }
    }
}
