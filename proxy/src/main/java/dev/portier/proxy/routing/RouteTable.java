package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routing table kept in process: frontend lists by key, the answer for each request host seen,
 * and dead marks by host. Every read is a lock-free map lookup, so event loops can use it per
 * request; writes come from Redis replies and keyspace events.
 */
final class RouteTable {

    /** Stands for "this key holds no list" (a key can be known to be empty). */
    private static final Frontend ABSENT = new Frontend("", "", List.of(), List.of());

    private final int maxHosts;
    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, Lookup> hosts = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> dependents = new ConcurrentHashMap<>();
    private final Map<String, DeadMarks> dead = new ConcurrentHashMap<>();
    /** Marks made here, kept over Redis reads for a moment: a read sent before our SADD landed must not undo it. */
    private final Map<String, LocalMarks> recentLocal = new ConcurrentHashMap<>();
    private static final long LOCAL_GRACE_NANOS = 2_000_000_000L;
    private final Map<String, AtomicInteger> rotations = new ConcurrentHashMap<>();
    private volatile long lastUpdateMillis;

    RouteTable(int maxHosts) {
        this.maxHosts = maxHosts;
    }

    Lookup host(String host) {
        return hosts.get(host);
    }

    DeadMarks dead(String host) {
        return dead.get(host);
    }

    AtomicInteger rotation(String frontendKey) {
        return rotations.computeIfAbsent(frontendKey, k -> new AtomicInteger());
    }

    /** Whether a change to this key can matter: it is cached or being read. */
    boolean knowsKey(String key) {
        return frontends.containsKey(key) || pending.contains(key);
    }

    boolean knowsHost(String host) {
        return hosts.containsKey(host) || dead.containsKey(host);
    }

    /** Notes keys about to be read, so that a change seen before their reply is not lost. */
    void expect(List<String> keys) {
        for (String k : keys) {
            if (!frontends.containsKey(k)) {
                pending.add(k);
            }
        }
    }

    Set<String> keys() {
        Set<String> all = new HashSet<>(frontends.keySet());
        all.addAll(pending);
        return all;
    }

    Set<String> foundHosts() {
        Set<String> out = new HashSet<>();
        hosts.forEach((h, l) -> {
            if (l.status() == Lookup.Status.FOUND) {
                out.add(h);
            }
        });
        out.addAll(dead.keySet());
        return out;
    }

    /**
     * Stores what a key holds now (call in Redis reply order, so a late reply never undoes a newer
     * one) and re-answers every host that depends on the key.
     */
    void putFrontend(String key, Frontend f) {
        frontends.put(key, f == null ? ABSENT : f);
        pending.remove(key);
        lastUpdateMillis = System.currentTimeMillis();
        Set<String> deps = dependents.get(key);
        if (deps != null) {
            for (String host : deps) {
                Lookup l = resolveFromTable(host);
                if (l == null) {
                    hosts.remove(host);
                } else {
                    hosts.put(host, l);
                }
            }
        }
    }

    /** Answers a host from the cached keys and remembers the answer; null when a key is not cached. */
    Lookup resolve(String host) {
        Lookup l = resolveFromTable(host);
        if (l == null) {
            return null;
        }
        if (hosts.size() >= maxHosts) {
            // Host headers are the client's choice: bound the memory they can make us use. The
            // keys this answer came from are gone too, so it is not kept either.
            clear();
            return l;
        }
        hosts.put(host, l);
        for (String key : HostMatcher.candidates(host)) {
            dependents.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(host);
        }
        return l;
    }

    private Lookup resolveFromTable(String host) {
        for (String key : HostMatcher.candidates(host)) {
            Frontend f = frontends.get(key);
            if (f == null) {
                return null;
            }
            if (f != ABSENT) {
                return Lookup.found(host, key, f);
            }
        }
        return Lookup.notFound(host);
    }

    /**
     * Stores what Redis says of a host's dead marks. Marks made here in the last moments are kept
     * over it: the read may have been sent before our own SADD landed. Both this and markDead
     * change the entry inside the map's per-key compute, so neither can undo the other.
     */
    void putDead(String host, BitSet positions, long expiresAtNanos) {
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
            return positions.isEmpty() ? null : new DeadMarks(positions, expiry);
        });
    }

    /** Adds a local mark; false when the position was already marked and unexpired. */
    boolean markDead(String host, int position, long expiresAtNanos, long nowNanos) {
        DeadMarks before = dead.get(host);
        if (before != null && before.isDead(position, nowNanos)) {
            return false;
        }
        // noted before the mark itself, so that a Redis read racing with it keeps it (see putDead)
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

    /** host:port of every backend some cached frontend lists. */
    Set<String> routedAuthorities() {
        Set<String> out = new HashSet<>();
        for (Frontend f : frontends.values()) {
            for (BackendUrl b : f.backends()) {
                if (b != null) {
                    out.add(b.authority());
                }
            }
        }
        return out;
    }

    /** Frontends by key and unexpired dead marks by host, as plain maps for JSON. */
    Map<String, Object> snapshot(long nowNanos) {
        Map<String, Object> fronts = new java.util.TreeMap<>();
        frontends.forEach((key, f) -> {
            if (f != ABSENT) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("identifier", f.identifier());
                one.put("backends", f.rawBackends());
                fronts.put(key, one);
            }
        });
        Map<String, Object> marks = new java.util.TreeMap<>();
        dead.forEach((host, d) -> {
            if (!d.expired(nowNanos)) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("positions", d.positions().stream().boxed().toList());
                one.put("expiresInMs", d.expiresAtNanos() == DeadMarks.NEVER ? null
                        : (d.expiresAtNanos() - nowNanos) / 1_000_000);
                marks.put(host, one);
            }
        });
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("frontends", fronts);
        out.put("dead", marks);
        return out;
    }

    int hostCount() {
        return hosts.size();
    }

    int frontendCount() {
        int n = 0;
        for (Frontend f : frontends.values()) {
            if (f != ABSENT) {
                n++;
            }
        }
        return n;
    }

    long lastUpdateMillis() {
        return lastUpdateMillis;
    }

    void clear() {
        hosts.clear();
        dependents.clear();
        frontends.clear();
        rotations.clear();
        recentLocal.clear();
    }

    /** Positions this process marked dead lately, and when. */
    private record LocalMarks(BitSet positions, long madeAtNanos) {
    }
}
