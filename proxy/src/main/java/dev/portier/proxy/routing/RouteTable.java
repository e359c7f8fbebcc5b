package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routing table kept in process: frontend lists by key, which keys exist at all (once the
 * indexes are complete), the answer for each request host seen, and dead marks by host. Every read
 * is a lock-free map lookup, so event loops can use it per request; writes come from Redis replies
 * and keyspace events.
 */
final class RouteTable {

    private final int maxHosts;
    private final long absentTtlNanos;
    /** The {@code frontend:*} keys that exist (by their host part). */
    final KeyIndex frontendIndex = new KeyIndex();
    /** The hosts that have a {@code dead:<host>} key. */
    final KeyIndex deadIndex = new KeyIndex();
    /** The frontend keys that have a {@code canary:}, {@code maintenance:}, {@code pause:} hash, by family. */
    private final Map<ControlFamily, KeyIndex> controlIndexes = new java.util.EnumMap<>(ControlFamily.class);
    /** Canary, maintenance, pause by frontend key; only keys that have one (usually none, so a lookup is cheap). */
    private final Map<String, FrontendControls> controls = new ConcurrentHashMap<>();
    /** Canary backends that failed, by URL, and until when they are skipped (they have no list position to mark). */
    private final Map<String, Long> deadCanaries = new ConcurrentHashMap<>();
    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    /** Keys read empty, and when: trusted for absentTtl, then read again when a request needs them. */
    private final Map<String, Long> absentSince = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, Lookup> hosts = new ConcurrentHashMap<>();
    /** Hosts answered NOT_FOUND from the key index once already (bounded). */
    private final Set<String> missesSeen = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> dependents = new ConcurrentHashMap<>();
    private final Map<String, DeadMarks> dead = new ConcurrentHashMap<>();
    /** Marks made here, kept over Redis reads for a moment: a read sent before our SADD landed must not undo it. */
    private final Map<String, LocalMarks> recentLocal = new ConcurrentHashMap<>();
    private static final long LOCAL_GRACE_NANOS = 2_000_000_000L;
    private final Map<String, AtomicInteger> rotations = new ConcurrentHashMap<>();
    private volatile long lastUpdateMillis;

    /**
     * @param maxHosts  request hosts remembered (and absent keys kept) at most: Host headers are
     *                  the client's choice, so they must not decide how much memory we use
     * @param absentTtl how long a key read empty is trusted without keyspace notifications
     */
    RouteTable(int maxHosts, java.time.Duration absentTtl) {
        this.maxHosts = maxHosts;
        this.absentTtlNanos = absentTtl.toNanos();
        for (ControlFamily f : ControlFamily.values()) {
            controlIndexes.put(f, new KeyIndex());
        }
    }

    /** Which frontend keys have a hash of this family. */
    KeyIndex index(ControlFamily family) {
        return controlIndexes.get(family);
    }

    /** Every key index: frontends, dead marks, then the control families. */
    List<KeyIndex> indexes() {
        List<KeyIndex> all = new ArrayList<>(List.of(frontendIndex, deadIndex));
        all.addAll(controlIndexes.values());
        return all;
    }

    /** The canary, maintenance and pause of a frontend key, or null when it has none. */
    FrontendControls controls(String frontendKey) {
        return frontendKey == null ? null : controls.get(frontendKey);
    }

    /**
     * Stores one part of a frontend's controls as read (call in Redis reply order, as putFrontend).
     *
     * @return the controls before, or {@link FrontendControls#NONE}
     */
    FrontendControls putControl(String frontendKey, ControlFamily family, Object value) {
        FrontendControls[] before = {FrontendControls.NONE};
        controls.compute(frontendKey, (k, old) -> {
            if (old != null) {
                before[0] = old;
            }
            FrontendControls now = (old == null ? FrontendControls.NONE : old).with(family, value);
            return now.isEmpty() ? null : now;
        });
        if (value != null) {
            controlIndexes.get(family).sawPresent(frontendKey);
        }
        lastUpdateMillis = System.currentTimeMillis();
        return before[0];
    }

    /** Every frontend key with controls, and them. */
    Map<String, FrontendControls> allControls() {
        return controls;
    }

    /** Whether a canary backend failed lately (then its share goes to the list). */
    boolean canaryDead(String backendRaw, long nowNanos) {
        Long until = deadCanaries.get(backendRaw);
        if (until == null) {
            return false;
        }
        if (nowNanos - until < 0) {
            return true;
        }
        deadCanaries.remove(backendRaw, until);
        return false;
    }

    /** Skips a canary backend until {@code untilNanos}; false when it was already skipped. */
    boolean markCanaryDead(String backendRaw, long untilNanos, long nowNanos) {
        if (canaryDead(backendRaw, nowNanos)) {
            return false;
        }
        if (deadCanaries.size() >= maxHosts) {
            deadCanaries.clear();
        }
        deadCanaries.put(backendRaw, untilNanos);
        return true;
    }

    /** The frontend lists by key (read-only view). */
    Map<String, Frontend> frontends() {
        return java.util.Collections.unmodifiableMap(frontends);
    }

    /** The remembered answer for a host, or null. */
    Lookup host(String host) {
        return hosts.get(host);
    }

    /**
     * The answer for a host from memory alone, remembered when it is FOUND; null when a Redis read
     * is needed (a candidate key or the host's dead marks are not known).
     */
    Lookup answer(String host) {
        Lookup known = hosts.get(host);
        if (known != null) {
            return known;
        }
        Lookup l = resolveFromMemory(host, Set.of(), System.nanoTime());
        if (l == null || l.status() == Lookup.Status.FOUND && deadIndex.mayExist(host)) {
            return null;
        }
        if (l.status() == Lookup.Status.NOT_FOUND && frontendIndex.complete() && !missesSeen.contains(host)) {
            // the first time: the route may have been written a moment ago, its event not yet here
            return null;
        }
        return l.status() == Lookup.Status.FOUND ? remember(host, l) : l;
    }

    /** Notes a host answered NOT_FOUND after a barrier: later answers need none (as a remembered miss). */
    void missSeen(String host) {
        if (missesSeen.size() >= maxHosts) {
            missesSeen.clear(); // only costs barriers again
        }
        missesSeen.add(host);
    }

    /** The keys a lookup reads, and when it decided which (what it did not read was known then). */
    record ReadPlan(List<String> keys, long atNanos) {
    }

    /** The candidate keys of a host that must be read before it can be answered; notes them as pending. */
    ReadPlan keysToRead(String host) {
        long now = System.nanoTime();
        List<String> out = new ArrayList<>();
        for (String key : HostMatcher.candidates(host)) {
            if (frontendIndex.mayExist(key) && !frontends.containsKey(key) && !freshAbsent(key, now)) {
                pending.add(key);
                out.add(key);
            }
        }
        return new ReadPlan(out, now);
    }

    /**
     * Answers a host once the plan's keys were read (those not held now are taken as absent); null
     * when something is unknown again (then read again). A FOUND answer is remembered by the caller
     * once the host's dead marks are known.
     */
    Lookup resolveAfterRead(String host, ReadPlan plan) {
        return resolveFromMemory(host, plan.keys(), plan.atNanos());
    }

    /** Remembers a FOUND answer, unless the table holds as many hosts as it may. */
    Lookup remember(String host, Lookup l) {
        if (hosts.size() >= maxHosts) {
            // answered, not remembered: what is remembered keeps routing and is never dropped for a flood
            return l;
        }
        hosts.put(host, l);
        for (String key : HostMatcher.candidates(host)) {
            dependents.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(host);
        }
        return l;
    }

    private Lookup resolveFromMemory(String host, Collection<String> justRead, long now) {
        for (String key : HostMatcher.candidates(host)) {
            if (!frontendIndex.mayExist(key)) {
                continue;
            }
            Frontend f = frontends.get(key);
            if (f != null) {
                return Lookup.found(host, key, f);
            }
            if (!freshAbsent(key, now) && !justRead.contains(key)) {
                return null;
            }
        }
        return Lookup.notFound(host);
    }

    private boolean freshAbsent(String key, long now) {
        Long since = absentSince.get(key);
        return since != null && now - since < absentTtlNanos;
    }

    /** Whether the table holds a list for the key. */
    boolean holds(String key) {
        return frontends.containsKey(key);
    }

    DeadMarks dead(String host) {
        return dead.get(host);
    }

    AtomicInteger rotation(String frontendKey) {
        return rotations.computeIfAbsent(frontendKey, k -> new AtomicInteger());
    }

    /** Whether a change to this key can change an answer we keep: it is cached, being read, or a remembered host depends on it. */
    boolean knowsKey(String key) {
        return frontends.containsKey(key) || pending.contains(key) || absentSince.containsKey(key)
                || dependents.containsKey(key);
    }

    boolean knowsHost(String host) {
        return hosts.containsKey(host) || dead.containsKey(host);
    }

    /**
     * The keys a periodic refresh re-reads: the lists we hold and the keys remembered hosts depend
     * on that may exist. Keys only unknown hosts asked for are never among them.
     */
    Set<String> refreshKeys() {
        Set<String> all = new HashSet<>(frontends.keySet());
        all.addAll(pending);
        for (String key : dependents.keySet()) {
            if (frontendIndex.mayExist(key)) {
                all.add(key);
            }
        }
        return all;
    }

    /** Hosts whose dead marks a refresh re-reads: routed or marked ones that may have a dead: key. */
    Set<String> refreshDeadHosts() {
        Set<String> out = new HashSet<>();
        hosts.forEach((h, l) -> {
            if (l.status() == Lookup.Status.FOUND && deadIndex.mayExist(h)) {
                out.add(h);
            }
        });
        for (String h : dead.keySet()) {
            if (deadIndex.mayExist(h)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * Stores what a key holds now (null: nothing; call in Redis reply order, so a late reply never
     * undoes a newer one) and re-answers every host that depends on the key.
     */
    void putFrontend(String key, Frontend f) {
        if (f == null) {
            frontends.remove(key);
            if (absentSince.size() >= maxHosts) {
                long now = System.nanoTime();
                absentSince.values().removeIf(since -> now - since >= absentTtlNanos);
                if (absentSince.size() >= maxHosts) {
                    absentSince.clear(); // only costs reads again
                }
            }
            absentSince.put(key, System.nanoTime());
        } else {
            frontends.put(key, f);
            absentSince.remove(key);
            frontendIndex.sawPresent(key);
        }
        pending.remove(key);
        lastUpdateMillis = System.currentTimeMillis();
        Set<String> deps = dependents.get(key);
        if (deps != null) {
            long now = System.nanoTime();
            for (String host : deps) {
                Lookup l = resolveFromMemory(host, List.of(key), now);
                if (l == null || l.status() != Lookup.Status.FOUND) {
                    hosts.remove(host);
                } else {
                    hosts.put(host, l);
                }
            }
        }
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
            if (!positions.isEmpty()) {
                deadIndex.sawPresent(host);
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
        for (FrontendControls c : controls.values()) {
            if (c.canary() != null) {
                out.add(c.canary().backend().authority());
            }
        }
        return out;
    }

    /** Frontends by key and unexpired dead marks by host, as plain maps for JSON. */
    Map<String, Object> snapshot(long nowNanos) {
        Map<String, Object> fronts = new java.util.TreeMap<>();
        frontends.forEach((key, f) -> {
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("identifier", f.identifier());
            one.put("backends", f.rawBackends());
            fronts.put(key, one);
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
        Map<String, Object> canaries = new java.util.TreeMap<>();
        Map<String, Object> maintenance = new java.util.TreeMap<>();
        Map<String, Object> paused = new java.util.TreeMap<>();
        controls.forEach((key, c) -> {
            if (c.canary() != null) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("backend", c.canary().backend().raw());
                one.put("percent", c.canary().percent());
                one.put("dead", canaryDead(c.canary().backend().raw(), nowNanos));
                canaries.put(key, one);
            }
            if (c.maintenance() != null) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("message", c.maintenance().message());
                one.put("retryAfter", c.maintenance().retryAfter());
                maintenance.put(key, one);
            }
            if (c.pause() != null) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("maxHoldSeconds", c.pause().maxHold() == null ? null : c.pause().maxHold().toSeconds());
                paused.put(key, one);
            }
        });
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("frontends", fronts);
        out.put("dead", marks);
        out.put("canaries", canaries);
        out.put("maintenance", maintenance);
        out.put("paused", paused);
        return out;
    }

    int hostCount() {
        return hosts.size();
    }

    int frontendCount() {
        return frontends.size();
    }

    long lastUpdateMillis() {
        return lastUpdateMillis;
    }

    /** Positions this process marked dead lately, and when. */
    private record LocalMarks(BitSet positions, long madeAtNanos) {
    }
}
