package dev.portier.proxy.routing;

import dev.portier.common.Frontend;
import dev.portier.proxy.config.Balancing;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks a backend position among the usable ones: not dead, a valid URL, not already tried. */
final class BackendChooser {

    private final Balancing balancing;

    BackendChooser(Balancing balancing) {
        this.balancing = balancing;
    }

    /**
     * @param rotation round-robin counter of the frontend (only read for ROUNDROBIN)
     * @return a position, or -1 when none is usable
     */
    int choose(Frontend f, DeadMarks dead, BitSet tried, AtomicInteger rotation, long nowNanos) {
        int n = f.size();
        DeadMarks d = dead == null || dead.expired(nowNanos) ? null : dead;
        switch (balancing) {
            case FIRST -> {
                for (int i = 0; i < n; i++) {
                    if (usable(f, d, tried, i, nowNanos)) {
                        return i;
                    }
                }
                return -1;
            }
            case ROUNDROBIN -> {
                int start = Math.floorMod(rotation.getAndIncrement(), Math.max(n, 1));
                for (int k = 0; k < n; k++) {
                    int i = (start + k) % n;
                    if (usable(f, d, tried, i, nowNanos)) {
                        return i;
                    }
                }
                return -1;
            }
            default -> {
                int live = 0;
                for (int i = 0; i < n; i++) {
                    if (usable(f, d, tried, i, nowNanos)) {
                        live++;
                    }
                }
                if (live == 0) {
                    return -1;
                }
                int pick = ThreadLocalRandom.current().nextInt(live);
                for (int i = 0; i < n; i++) {
                    if (usable(f, d, tried, i, nowNanos) && pick-- == 0) {
                        return i;
                    }
                }
                return -1;
            }
        }
    }

    private static boolean usable(Frontend f, DeadMarks d, BitSet tried, int i, long now) {
        return f.backend(i) != null && !tried.get(i) && (d == null || !d.isDead(i, now));
    }
}
