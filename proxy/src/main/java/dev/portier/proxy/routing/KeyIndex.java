package dev.portier.proxy.routing;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which keys of one family ({@code frontend:*} or {@code dead:*}, by their part after the prefix)
 * exist in Redis: filled by a SCAN, kept current by keyspace events. Once complete, a key it lacks
 * is known absent without a round trip, so a Host header nobody routes costs no Redis command.
 * "Present" may be stale in the safe direction (it only costs a read); "absent" may not, so the
 * index stops being complete whenever events may have been missed, until the next full scan. A
 * removal event does not remove the key at once: an atomic rewrite (MULTI, DEL, RPUSH, EXEC) would
 * leave a moment with no key. The read it triggers confirms it, unless a newer event came since.
 */
final class KeyIndex {

    /** Events after which the key no longer exists; every other write event leaves it existing. */
    private static final Set<String> GONE = Set.of("del", "expired", "evicted", "rename_from", "move_from");

    private final Set<String> present = ConcurrentHashMap.newKeySet();
    /** Events seen per key, so that a read confirms an absence only when no event came after it. */
    private final java.util.Map<String, Long> eventCount = new ConcurrentHashMap<>();
    private volatile boolean complete;
    // while a scan runs: the keys it returned, and those an event spoke for (their events win)
    private Set<String> scanned;
    private final Set<String> touched = new HashSet<>();

    /** True when every existing key is known, so a key not listed does not exist. */
    boolean complete() {
        return complete;
    }

    /** False only when the index is complete and lacks the key. */
    boolean mayExist(String key) {
        return !complete || present.contains(key);
    }

    int size() {
        return present.size();
    }

    /** Events may have been missed (the subscription dropped): stop answering "absent". */
    void invalidate() {
        complete = false;
    }

    /** Whether the event (a notification's message) leaves the key gone. */
    static boolean isRemoval(String event) {
        return GONE.contains(event);
    }

    /**
     * A keyspace event for the key (the event name is the notification's message).
     *
     * @return the key's event count, for {@link #confirmAbsent}
     */
    synchronized long event(String key, String event) {
        if (scanned != null) {
            touched.add(key);
        }
        if (!GONE.contains(event)) {
            present.add(key);
        }
        return eventCount.merge(key, 1L, Long::sum);
    }

    /** A read sent after the key's event number {@code eventSeen} found it absent. */
    synchronized void confirmAbsent(String key, long eventSeen) {
        Long now = eventCount.get(key);
        if (now != null && now == eventSeen) {
            present.remove(key);
        }
    }

    /** A read found the key (present is the safe side, so no ordering is needed). */
    void sawPresent(String key) {
        present.add(key);
    }

    /** Starts a full scan; call only once the subscription is confirmed, so no later change is missed. */
    synchronized void beginScan() {
        scanned = new HashSet<>();
        touched.clear();
    }

    /** Keys from one page of the scan. */
    synchronized void scanned(Iterable<String> keys) {
        if (scanned == null) {
            return;
        }
        for (String k : keys) {
            scanned.add(k);
            if (!touched.contains(k)) {
                present.add(k);
            }
        }
    }

    /**
     * Ends a scan: keys neither returned nor spoken for by an event are gone.
     *
     * @param trusted whether events were flowing for the whole scan (then the index is complete)
     */
    synchronized void endScan(boolean trusted) {
        if (scanned == null) {
            return;
        }
        present.removeIf(k -> !scanned.contains(k) && !touched.contains(k));
        scanned = null;
        touched.clear();
        complete = trusted;
    }

    /** Drops a scan that failed half-way; what it added stays (present is the safe side). */
    synchronized void abandonScan() {
        scanned = null;
        touched.clear();
    }
}
