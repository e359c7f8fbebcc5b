package dev.portier.deploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.RedisDriverUrl;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DockerHarness;
import dev.portier.proxy.ProxyServer;
import dev.portier.proxy.config.ProxySettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole point: the real proxy in front, requests sent through it without pause while v2 is
 * deployed, v1 rolled back to, and a never-healthy image tried. Not one request may fail.
 */
class ZeroDowntimeTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private static final int LOAD_THREADS = 4;

    private ProxyServer proxy;
    private URI proxyUrl;

    /** One request as the load generator saw it. */
    record Sample(long startNanos, long endNanos, String version, String error) {
    }

    @BeforeEach
    void startProxy() {
        ProxySettings settings = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                RedisDriverUrl.parse(H.redis.driverUrl()));
        proxy = ProxyServer.start(settings);
        proxyUrl = URI.create("http://127.0.0.1:" + proxy.port());
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void deployRollbackAndAFailedDeployUnderLoadLoseNoRequest() throws Exception {
        DockerHarness.Run first = H.deploy(H.images.v1(), "app.test", "--proxy-url", proxyUrl.toString());
        assertEquals(0, first.exit(), first.all());

        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < LOAD_THREADS; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    long s = System.nanoTime();
                    try {
                        ProxyProbe.Answer a = ProxyProbe.get(proxyUrl, "app.test", "/", Map.of(), Duration.ofSeconds(5));
                        samples.add(new Sample(s, System.nanoTime(), a.status() == 200 ? a.body().trim() : null,
                                a.status() == 200 ? null : "HTTP " + a.status()));
                    } catch (Exception e) {
                        samples.add(new Sample(s, System.nanoTime(), null, e.toString()));
                    }
                }
            }, "load-" + i);
            t.start();
            load.add(t);
        }
        long t0 = System.nanoTime();
        long deployStart;
        long deployEnd;
        long rollbackStart;
        long rollbackEnd;
        long sickStart;
        long sickEnd;
        try {
            awaitSamples(samples, 200);
            deployStart = System.nanoTime();
            DockerHarness.Run v2 = H.deploy(H.images.v2(), "app.test", "--proxy-url", proxyUrl.toString());
            deployEnd = System.nanoTime();
            assertEquals(0, v2.exit(), v2.all());
            awaitSamples(samples, samples.size() + 200);

            rollbackStart = System.nanoTime();
            DockerHarness.Run back = H.cli("rollback", "--frontend", "app.test", "--to", "v1", "--health-interval", "200ms",
                    "--proxy-url", proxyUrl.toString());
            rollbackEnd = System.nanoTime();
            assertEquals(0, back.exit(), back.all());
            awaitSamples(samples, samples.size() + 200);

            sickStart = System.nanoTime();
            DockerHarness.Run sick = H.deploy(H.images.sick(), "app.test", "--proxy-url", proxyUrl.toString(),
                    "--health-deadline", "2s");
            sickEnd = System.nanoTime();
            assertEquals(ExitCode.DEPLOY_FAILED, sick.exit(), sick.all());
            awaitSamples(samples, samples.size() + 200);
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }
        }

        List<Sample> all;
        synchronized (samples) {
            all = new ArrayList<>(samples);
        }
        all.sort(Comparator.comparingLong(Sample::startNanos));
        List<Sample> failed = all.stream().filter(s -> s.error() != null).toList();
        Switch toV2 = Switch.measure(all, "v1", "v2", deployStart, deployEnd);
        Switch toV1 = Switch.measure(all, "v2", "v1", rollbackStart, rollbackEnd);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("zero-downtime: %d requests in %.1f s through the proxy (%d threads, %.0f req/s), %d failed%n",
                all.size(), seconds, LOAD_THREADS, all.size() / seconds, failed.size());
        System.out.printf("switch v1 -> v2 (deploy): command %d ms; first v2 answer %d ms after the command started; "
                + "last v1 answer %d ms after the first v2 one%n", toV2.commandMs, toV2.firstNewMs, toV2.overlapMs);
        System.out.printf("switch v2 -> v1 (rollback): command %d ms; first v1 answer %d ms after the command started; "
                + "last v2 answer %d ms after the first v1 one%n", toV1.commandMs, toV1.firstNewMs, toV1.overlapMs);
        System.out.printf("never-healthy deploy: command %d ms, answers during it: %s%n", (sickEnd - sickStart) / 1_000_000,
                versionsStartedBetween(all, sickStart, sickEnd));

        assertEquals(List.of(), failed.stream().limit(10).toList(), "failed requests");
        assertEquals(List.of(), flapsBack(all, "v1", "v2", deployStart, rollbackStart), "v1 answered after a v2 answer was seen");
        assertEquals(List.of(), flapsBack(all, "v2", "v1", rollbackStart, Long.MAX_VALUE), "v2 answered after a v1 answer was seen");
        assertEquals(List.of("v1"), versionsStartedBetween(all, rollbackEnd, Long.MAX_VALUE),
                "after the rollback, and through the failed deploy, only v1 answers");
        assertEquals(List.of("v2"), versionsStartedBetween(all, deployEnd, rollbackStart), "between deploy and rollback only v2");
        assertEquals(List.of("v1"), versionsStartedBetween(all, 0, deployStart));
        assertTrue(all.size() > 1000, "the load generator kept going: " + all.size());
    }

    /** Distinct versions, in order, of the requests started in [from, to). */
    private static List<String> versionsStartedBetween(List<Sample> all, long from, long to) {
        List<String> out = new ArrayList<>();
        for (Sample s : all) {
            if (s.startNanos() >= from && s.startNanos() < to && s.version() != null && !out.contains(s.version())) {
                out.add(s.version());
            }
        }
        return out;
    }

    /**
     * Requests for the old version that were sent after a client had already received the new
     * one, within [from, to). Requests in flight at the switch may still finish on the old
     * backend (that is the zero-downtime part); a request sent later must not go back to it.
     */
    private static List<Sample> flapsBack(List<Sample> all, String from, String to, long start, long end) {
        long firstNew = all.stream().filter(s -> to.equals(s.version()) && s.startNanos() >= start && s.startNanos() < end)
                .mapToLong(Sample::endNanos).min().orElse(Long.MAX_VALUE);
        return all.stream().filter(s -> from.equals(s.version()) && s.startNanos() > firstNew && s.startNanos() < end)
                .limit(10).toList();
    }

    private static void awaitSamples(List<Sample> samples, int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> samples.size() >= n);
    }

    /** How long one switch took, from the load generator's side. */
    record Switch(long commandMs, long firstNewMs, long overlapMs) {
        static Switch measure(List<Sample> all, String from, String to, long start, long end) {
            long firstNew = Long.MAX_VALUE;
            for (Sample s : all) {
                if (to.equals(s.version()) && s.endNanos() >= start && s.endNanos() < firstNew) {
                    firstNew = s.endNanos();
                }
            }
            long lastOld = firstNew;
            for (Sample s : all) {
                if (from.equals(s.version()) && s.endNanos() > lastOld && s.startNanos() < end) {
                    lastOld = s.endNanos();
                }
            }
            return new Switch((end - start) / 1_000_000, (firstNew - start) / 1_000_000, (lastOld - firstNew) / 1_000_000);
        }
    }
}
