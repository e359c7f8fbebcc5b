package dev.portier.proxy.routing;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Tells when every keyspace event Redis sent before now has been applied: a PING on the
 * subscription connection, whose reply comes after those events. A route written just before a
 * first request for its host is then seen, as a read would have seen it. Lookups waiting at once
 * share one PING (one more follows for those that came after it was sent), so a flood of new hosts
 * costs at most one PING per round trip, on a connection no route change waits for.
 */
final class EventBarrier {

    private final Supplier<StatefulRedisPubSubConnection<String, String>> subscription;
    private final Object lock = new Object();
    private CompletableFuture<Void> inFlight;
    private CompletableFuture<Void> next;

    /** @param subscription the subscription connection now, or null while there is none */
    EventBarrier(Supplier<StatefulRedisPubSubConnection<String, String>> subscription) {
        this.subscription = subscription;
    }

    /** Completes once the events sent before now are applied (at once, without a subscription). */
    CompletableFuture<Void> eventsApplied() {
        synchronized (lock) {
            if (inFlight == null || inFlight.isDone()) {
                CompletableFuture<Void> mine = new CompletableFuture<>();
                inFlight = mine;
                ping(mine);
                return mine;
            }
            if (next == null) {
                next = new CompletableFuture<>();
            }
            return next;
        }
    }

    /** Completes {@code target} when a PING sent now on the subscription connection returns (or fails). */
    private void ping(CompletableFuture<Void> target) {
        StatefulRedisPubSubConnection<String, String> ps = subscription.get();
        CompletableFuture<String> pong;
        try {
            pong = ps == null ? CompletableFuture.completedFuture(null) : ps.async().ping().toCompletableFuture();
        } catch (RuntimeException e) {
            pong = CompletableFuture.completedFuture(null);
        }
        pong.whenComplete((v, err) -> {
            CompletableFuture<Void> following;
            synchronized (lock) {
                following = next;
                next = null;
                inFlight = following;
            }
            target.complete(null);
            if (following != null) {
                ping(following);
            }
        });
    }
}
