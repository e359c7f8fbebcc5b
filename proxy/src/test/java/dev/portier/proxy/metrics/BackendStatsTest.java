package dev.portier.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendStatsTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BackendStats stats = new BackendStats(registry, now::get);

    private void record(String front, String backend, int status, long millis, int times) {
        BackendStats.Series s = stats.series(stats.frontend(front), front, backend);
        for (int i = 0; i < times; i++) {
            s.record(status, millis * 1_000_000);
        }
    }

    private void tick(int seconds) {
        for (int i = 0; i < seconds; i++) {
            now.addAndGet(SECOND);
            stats.sample((f, b) -> true);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> figures(int window, String front, String backend) {
        Map<String, Object> fronts = (Map<String, Object>) stats.window(window, Map.of(), Map.of()).get("frontends");
        return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) fronts.get(front)).get("backends"))
                .get(backend);
    }

    @Test
    void aWindowCountsOnlyItsSecondsAndWhatCameSinceTheLastSample() {
        record("a", "http://b:1", 200, 2, 10);
        tick(30);
        record("a", "http://b:1", 502, 40, 4);
        tick(5);
        record("a", "http://b:1", 200, 2, 1); // not sampled yet: still counted

        Map<String, Object> last10 = figures(10, "a", "http://b:1");
        assertEquals(5L, last10.get("requests"));
        assertEquals(4L, last10.get("errors5xx"));
        Map<String, Object> last60 = figures(60, "a", "http://b:1");
        assertEquals(15L, last60.get("requests"));
        assertEquals(4L, last60.get("errors5xx"));
        double p50 = (Double) last60.get("p50Ms");
        double p99 = (Double) last60.get("p99Ms");
        assertTrue(p50 >= 1.4 && p50 <= 3, "p50 " + p50);
        assertTrue(p99 >= 32 && p99 <= 50, "p99 " + p99);
    }

    @Test
    void theRingForgetsWhatIsOlderThanTheRetention() {
        record("a", "http://b:1", 200, 1, 3);
        tick(BackendStats.RETENTION_SECONDS + 5);
        Map<String, Object> f = figures(BackendStats.RETENTION_SECONDS, "a", "http://b:1");
        assertEquals(0L, f.get("requests"));
        assertNull(f.get("p50Ms"));
    }

    @Test
    void routedAndCanaryBackendsWithoutRequestsAreListed() {
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) stats.window(60,
                Map.of("a", List.of("http://live:1")), Map.of("a", "http://canary:2")).get("frontends")).get("a"))
                .get("backends");
        assertEquals(Map.of("requests", 0L, "errors5xx", 0L, "canary", true),
                without(b.get("http://canary:2")));
        assertEquals(false, ((Map<?, ?>) b.get("http://live:1")).get("canary"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> without(Object figures) {
        Map<String, Object> m = new java.util.HashMap<>((Map<String, Object>) figures);
        m.remove("p50Ms");
        m.remove("p99Ms");
        return m;
    }

    @Test
    void aBackendThatLeftTheTableLosesItsSeriesAndMetersAfterTheRetention() {
        record("a", "http://gone:1", 200, 1, 1);
        record("a", "http://kept:1", 200, 1, 1);
        assertEquals(6, registry.getMeters().size());
        for (int i = 0; i < BackendStats.RETENTION_SECONDS + 20; i++) {
            now.addAndGet(SECOND);
            stats.sample((f, b) -> b.equals("http://kept:1"));
        }
        assertEquals(1, stats.seriesCount());
        assertEquals(3, registry.getMeters().size());
        assertTrue(registry.getMeters().stream().allMatch(m -> "http://kept:1".equals(m.getId().getTag("backend"))));
    }
}
