package dev.portier.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentStatsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> front(RecentStats s, String key) {
        return (Map<String, Object>) ((Map<String, Object>) s.window().get("frontends")).get(key);
    }

    @Test
    void percentilesFallInTheBucketOfTheRecordedLatencies() {
        RecentStats s = new RecentStats(60_000_000_000L);
        RecentStats.Totals t = s.totals("a.test");
        for (int i = 0; i < 98; i++) {
            t.record(200, 2_000_000); // 2 ms
        }
        t.record(502, 400_000_000); // 400 ms
        t.record(503, 400_000_000);
        Map<String, Object> a = front(s, "a.test");
        assertEquals(100L, a.get("requests"));
        assertEquals(0.02, (double) a.get("errorShare"), 1e-9);
        double p50 = (double) a.get("p50Ms");
        double p99 = (double) a.get("p99Ms");
        // a bucket spans at most 50 % of its lower bound
        assertTrue(p50 >= 2 / 1.5 && p50 <= 2 * 1.5, "p50 " + p50);
        assertTrue(p99 >= 400 / 1.5 && p99 <= 400 * 1.5, "p99 " + p99);
    }

    @Test
    void theWindowCountsOnlyWhatCameAfterTheOldestSample() {
        RecentStats s = new RecentStats(60_000_000_000L);
        RecentStats.Totals t = s.totals("a.test");
        t.record(500, 1_000_000);
        s.sample();
        Map<String, Object> quiet = front(s, "a.test");
        assertEquals(0L, quiet.get("requests"));
        assertNull(quiet.get("errorShare"), "no requests, no share");
        t.record(200, 1_000_000);
        assertEquals(1L, front(s, "a.test").get("requests"));
        assertEquals(0.0, (double) front(s, "a.test").get("errorShare"));
    }

    @Test
    void bucketsGrowByHalvesOfPowersOfTwo() {
        assertEquals(0, RecentStats.bucket(0));
        assertEquals(2, RecentStats.bucket(2));
        assertEquals(3, RecentStats.bucket(3));
        assertEquals(20, RecentStats.bucket(1024));
        assertEquals(21, RecentStats.bucket(1536));
        assertEquals(1024.0, RecentStats.lowerMicros(20));
        assertEquals(1536.0, RecentStats.lowerMicros(21));
    }
}
