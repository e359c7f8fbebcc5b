package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routing table kept in process: frontend lists by key, which keys exist at all (once the
 * indexes are complete), the answer for each request host seen, and beside them the dead marks by
 * host and the controls by frontend key. Every read is a lock-free map lookup, so event loops can
 * use it per request; writes come from Redis replies and keyspace events.
 */
final class RouteTable {

    private final int maxHosts;
    private final long absentTtlNanos;
    private final KeyIndexes indexes = new KeyIndexes();
    private final DeadMarkTable dead = new DeadMarkTable(indexes.dead);
    private final ControlTable controls;
    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    /** Keys read empty, and when: trusted for absentTtl, then read again when a request needs them. */
    private final Map<String, Long> absentSince = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, Lookup> hosts = new ConcurrentHashMap<>();
    /** Hosts answered NOT_FOUND from the key index once already (bounded). */
    private final Set<String> missesSeen = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> dependents = new ConcurrentHashMap<>();
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
        this.controls = new ControlTable(maxHosts, indexes);
    }

    /** Which keys exist in Redis, by family. */
    KeyIndexes indexes() {
        return indexes;
    }

    /** Dead marks by request host. */
    DeadMarkTable deadMarks() {
        return dead;
    }

    /** Canary, maintenance and pause by frontend key. */
    ControlTable controls() {
        return controls;
    }

    /**
     * Stores one part of a frontend's controls as read (call in Redis reply order, as putFrontend).
     *
     * @return the controls before, or {@link FrontendControls#NONE}
     */
    FrontendControls putControl(String frontendKey, ControlFamily family, Object value) {
        FrontendControls before = controls.put(frontendKey, family, value);
        lastUpdateMillis = System.currentTimeMillis();
        return before;
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
        if (l == null || l.status() == Lookup.Status.FOUND && indexes.dead.mayExist(host)) {
            return null;
        }
        if (l.status() == Lookup.Status.NOT_FOUND && indexes.frontends.complete() && !missesSeen.contains(host)) {
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
            if (indexes.frontends.mayExist(key) && !frontends.containsKey(key) && !freshAbsent(key, now)) {
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
            if (!indexes.frontends.mayExist(key)) {
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

    AtomicInteger rotation(String frontendKey) {
        return rotations.computeIfAbsent(frontendKey, k -> new AtomicInteger());
    }

    /** Whether a change to this key can change an answer we keep: it is cached, being read, or a remembered host depends on it. */
    boolean knowsKey(String key) {
        return frontends.containsKey(key) || pending.contains(key) || absentSince.containsKey(key)
                || dependents.containsKey(key);
    }

    boolean knowsHost(String host) {
        return hosts.containsKey(host) || dead.has(host);
    }

    /**
     * The keys a periodic refresh re-reads: the lists we hold and the keys remembered hosts depend
     * on that may exist. Keys only unknown hosts asked for are never among them.
     */
    Set<String> refreshKeys() {
        Set<String> all = new HashSet<>(frontends.keySet());
        all.addAll(pending);
        for (String key : dependents.keySet()) {
            if (indexes.frontends.mayExist(key)) {
                all.add(key);
            }
        }
        return all;
    }

    /** Hosts whose dead marks a refresh re-reads: routed or marked ones that may have a dead: key. */
    Set<String> refreshDeadHosts() {
        Set<String> out = new HashSet<>();
        hosts.forEach((h, l) -> {
            if (l.status() == Lookup.Status.FOUND && indexes.dead.mayExist(h)) {
                out.add(h);
            }
        });
        for (String h : dead.hosts()) {
            if (indexes.dead.mayExist(h)) {
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
            indexes.frontends.sawPresent(key);
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
        controls.addCanaryAuthorities(out);
        return out;
    }

    /** Frontends by key, unexpired dead marks by host and the controls, as plain maps for JSON. */
    Map<String, Object> snapshot(long nowNanos) {
        Map<String, Object> fronts = new java.util.TreeMap<>();
        frontends.forEach((key, f) -> {
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("identifier", f.identifier());
            one.put("backends", f.rawBackends());
            fronts.put(key, one);
        });
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("frontends", fronts);
        out.put("dead", dead.snapshot(nowNanos));
        out.putAll(controls.snapshot(nowNanos));
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
}
