package dev.portier.proxy.routing;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dead backend positions by request host, as Redis last said and as this process marked them.
 * Reads are lock-free map lookups, so event loops use it per request.
 */
final class DeadMarkTable {

    private static final long LOCAL_GRACE_NANOS = 2_000_000_000L;

    /** The hosts that have a {@code dead:<host>} key: a mark read or made here proves one. */
    private final KeyIndex index;
    private final Map<String, DeadMarks> dead = new ConcurrentHashMap<>();
    /** Marks made here, kept over Redis reads for a moment: a read sent before our SADD landed must not undo it. */
    private final Map<String, LocalMarks> recentLocal = new ConcurrentHashMap<>();

    DeadMarkTable(KeyIndex index) {
        this.index = index;
    }

    /** A host's marks, or null when it has none. */
    DeadMarks get(String host) {
        return dead.get(host);
    }

    boolean has(String host) {
        return dead.containsKey(host);
    }

    /** The hosts with marks. */
    Set<String> hosts() {
        return dead.keySet();
    }

    /**
     * Stores what Redis says of a host's dead marks. Marks made here in the last moments are kept
     * over it: the read may have been sent before our own SADD landed. Both this and mark change
     * the entry inside the map's per-key compute, so neither can undo the other.
     */
    void put(String host, BitSet positions, long expiresAtNanos) {
        dead.compute(host, (h, current) -> {
            long now = System.nanoTime();
            long expiry = expiresAtNanos;
            LocalMarks local = recentLocal.get(host);
            if (local != null && now - local.madeAtNanos() < LOCAL_GRACE_NANOS) {
                positions.or(local.positions());
                if (current != null && current.expiresAtNanos() - expiry > 0) {
                    expiry = current.expiresAtNanos();
                }
            }
            if (!positions.isEmpty()) {
                index.sawPresent(host);
            }
            return positions.isEmpty() ? null : new DeadMarks(positions, expiry);
        });
    }

    /** Adds a local mark; false when the position was already marked and unexpired. */
    boolean mark(String host, int position, long expiresAtNanos, long nowNanos) {
        DeadMarks before = dead.get(host);
        if (before != null && before.isDead(position, nowNanos)) {
            return false;
        }
        // noted before the mark itself, so that a Redis read racing with it keeps it (see put)
        recentLocal.compute(host, (h, old) -> {
            BitSet b = old == null || nowNanos - old.madeAtNanos() >= LOCAL_GRACE_NANOS
                    ? new BitSet() : (BitSet) old.positions().clone();
            b.set(position);
            return new LocalMarks(b, nowNanos);
        });
        boolean[] added = {false};
        dead.compute(host, (h, old) -> {
            if (old != null && old.isDead(position, nowNanos)) {
                return old;
            }
            added[0] = true;
            return old == null ? new DeadMarks(bit(position), expiresAtNanos) : old.with(position, expiresAtNanos, nowNanos);
        });
        return added[0];
    }

    private static BitSet bit(int position) {
        BitSet b = new BitSet();
        b.set(position);
        return b;
    }

    /** Unexpired marks by host, as plain maps for JSON. */
    Map<String, Object> snapshot(long nowNanos) {
        Map<String, Object> marks = new TreeMap<>();
        dead.forEach((host, d) -> {
            if (!d.expired(nowNanos)) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("positions", d.positions().stream().boxed().toList());
                one.put("expiresInMs", d.expiresAtNanos() == DeadMarks.NEVER ? null
                        : (d.expiresAtNanos() - nowNanos) / 1_000_000);
                marks.put(host, one);
            }
        });
        return marks;
    }

    /** Positions this process marked dead lately, and when. */
    private record LocalMarks(BitSet positions, long madeAtNanos) {
    }
}
