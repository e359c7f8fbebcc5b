package dev.portier.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.Frontend;
import dev.portier.proxy.config.Balancing;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendChooserTest {

    private static final Frontend THREE = Frontend.fromList("frontend:a",
            List.of("app", "http://10.0.0.1:1", "http://10.0.0.2:2", "http://10.0.0.3:3"));
    private static final long NOW = 1_000_000_000L;

    private static DeadMarks dead(int... positions) {
        BitSet b = new BitSet();
        for (int p : positions) {
            b.set(p);
        }
        return new DeadMarks(b, NOW + 30_000_000_000L);
    }

    @Test
    void firstTakesTheTopLiveBackend() {
        BackendChooser c = new BackendChooser(Balancing.FIRST);
        assertEquals(0, c.choose(THREE, null, new BitSet(), null, NOW));
        assertEquals(1, c.choose(THREE, dead(0), new BitSet(), null, NOW));
        BitSet tried = new BitSet();
        tried.set(1);
        assertEquals(2, c.choose(THREE, dead(0), tried, null, NOW));
    }

    @Test
    void expiredMarksAreIgnored() {
        BackendChooser c = new BackendChooser(Balancing.FIRST);
        DeadMarks expired = new DeadMarks(dead(0).positions(), NOW - 1);
        assertEquals(0, c.choose(THREE, expired, new BitSet(), null, NOW));
    }

    @Test
    void noneLeftIsMinusOne() {
        BackendChooser c = new BackendChooser(Balancing.RANDOM);
        assertEquals(-1, c.choose(THREE, dead(0, 1, 2), new BitSet(), null, NOW));
    }

    @Test
    void unusableUrlsAreSkipped() {
        Frontend f = Frontend.fromList("frontend:a", List.of("app", "not a url", "http://10.0.0.2:2"));
        assertEquals(1, new BackendChooser(Balancing.FIRST).choose(f, null, new BitSet(), null, NOW));
    }

    @Test
    void roundRobinVisitsEveryLiveBackendInTurn() {
        BackendChooser c = new BackendChooser(Balancing.ROUNDROBIN);
        AtomicInteger rotation = new AtomicInteger();
        List<Integer> picks = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(c.choose(THREE, dead(1), new BitSet(), rotation, NOW));
        }
        assertEquals(List.of(0, 2, 2, 0, 2, 2), picks);
    }

    @Test
    void randomOnlyPicksLiveBackendsAndReachesAllOfThem() {
        BackendChooser c = new BackendChooser(Balancing.RANDOM);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int p = c.choose(THREE, dead(2), new BitSet(), null, NOW);
            assertTrue(p == 0 || p == 1, "picked " + p);
            seen.add(p);
        }
        assertEquals(Set.of(0, 1), seen);
    }
}
