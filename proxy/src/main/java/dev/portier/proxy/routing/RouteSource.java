package dev.portier.proxy.routing;

import java.util.BitSet;
import java.util.concurrent.CompletionStage;

/**
 * The proxy's view of the routing table. Every method is safe to call from a Netty event loop:
 * none blocks, none does a Redis round trip on the caller's thread.
 */
public interface RouteSource extends AutoCloseable {

    /** The cached answer for a normalised host, or null when it must be looked up (then call {@link #lookup}). */
    Lookup cached(String host);

    /**
     * Resolves a normalised host; concurrent misses for one host share one Redis read.
     * Completes on a Lettuce thread: the caller hops back to its own event loop.
     */
    CompletionStage<Lookup> lookup(String host);

    /**
     * Chooses a backend position (0-based after the identifier) of a FOUND lookup, skipping dead
     * positions, unusable URLs and positions set in {@code tried}; -1 when none is left.
     */
    int choose(Lookup lookup, BitSet tried);

    /**
     * Records a failure of the backend at {@code position}: marks it dead in memory at once and in
     * Redis as Hipache does (SADD + EXPIRE dead:host, PUBLISH dead), unless it is the frontend's only backend.
     */
    void markDead(Lookup lookup, int position);

    /**
     * host:port of every backend the table currently lists, so pools can close idle connections to
     * backends that left it; null when unknown (then nothing is closed for that reason).
     */
    java.util.Set<String> routedAuthorities();

    /** The canary, maintenance and pause of a FOUND lookup's frontend, or null when it has none (the usual case). */
    default FrontendControls controls(Lookup lookup) {
        return null;
    }

    /** Whether a canary backend is to be skipped now (it failed lately). */
    default boolean canaryDead(Canary canary) {
        return false;
    }

    /** Records a failure of a canary backend: its share goes to the list for the dead-mark TTL (in this process). */
    default void markCanaryDead(Lookup lookup, Canary canary) {
    }

    /**
     * Calls {@code listener} (on a routing thread, never an event loop) with a frontend key and its
     * controls (null: none) each time they change.
     */
    default void onControlsChanged(java.util.function.BiConsumer<String, FrontendControls> listener) {
    }

    /** Every frontend key with its backend URLs as listed, and its canary if any: for per-backend figures. */
    default java.util.Map<String, FrontendBackends> backends() {
        return java.util.Map.of();
    }

    /** A frontend's backends as the table has them now. */
    record FrontendBackends(java.util.List<String> listed, Canary canary) {
    }

    /** Whether the source can reach its store now (for /healthz and metrics). */
    boolean redisConnected();

    /**
     * Milliseconds since the store last answered a command (it is pinged every second), or -1 when
     * it never has: a frozen Redis keeps its connection open, so only this shows it.
     */
    long redisReplyAgeMillis();

    /** Frontend lists in the table. */
    int frontendCount();

    /** Request hosts the table remembers. */
    int hostCount();

    /** When the table last changed (epoch millis; 0 when never). */
    long lastUpdateMillis();

    /** The table as plain maps and lists, for the admin listener's /routes. */
    java.util.Map<String, Object> snapshot();

    @Override
    void close();
}
