package dev.portier.proxy.relay;

import dev.portier.proxy.routing.FrontendControls;
import dev.portier.proxy.routing.Pause;
import dev.portier.proxy.routing.RouteSource;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of paused frontends, parked without a thread or a Redis round trip each: when the
 * frontend's {@code pause:} key goes (the route source tells us within milliseconds) they are
 * routed again in arrival order, each on its own event loop; one held longer than its maxHold is
 * answered 503 there. At most {@code maxRequests} wait per frontend.
 */
final class PausedRequests {

    /** One parked exchange; {@code done} makes resuming, timing out and purging exclusive. */
    private static final class Held {
        final Channel client;
        final Runnable resume;
        final AtomicBoolean done = new AtomicBoolean();
        ScheduledFuture<?> timer;

        Held(Channel client, Runnable resume) {
            this.client = client;
            this.resume = resume;
        }
    }

    private static final class Gate {
        final Queue<Held> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
    }

    private final RouteSource routes;
    private final Duration defaultMaxHold;
    private final int maxRequests;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    PausedRequests(RouteSource routes, Duration defaultMaxHold, int maxRequests) {
        this.routes = routes;
        this.defaultMaxHold = defaultMaxHold;
        this.maxRequests = maxRequests;
        routes.onControlsChanged((key, controls) -> {
            if (controls == null || controls.pause() == null) {
                release(key);
            }
        });
    }

    /** How long a request is held under {@code p}. */
    Duration maxHold(Pause p) {
        return p.maxHold() != null ? p.maxHold() : defaultMaxHold;
    }

    /**
     * Parks a request of a paused frontend; false when the frontend holds as many as it may (answer
     * 503 then). {@code resume} or {@code timedOut} runs later, once, on the client's event loop.
     *
     * @param stillPaused asked once parked: a pause lifted meanwhile releases at once
     */
    boolean hold(String frontendKey, Pause pause, Channel client, Runnable resume, Runnable timedOut,
                 java.util.function.Supplier<FrontendControls> stillPaused) {
        Gate gate = gates.computeIfAbsent(frontendKey, k -> new Gate());
        if (gate.size.get() >= maxRequests) {
            purgeGone(gate);
            if (gate.size.get() >= maxRequests) {
                return false;
            }
        }
        Held h = new Held(client, resume);
        gate.size.incrementAndGet();
        // the timer is set before the request can be released, so a release always finds it
        h.timer = client.eventLoop().schedule(() -> {
            if (h.done.compareAndSet(false, true)) {
                gate.queue.remove(h);
                gate.size.decrementAndGet();
                timedOut.run();
            }
        }, maxHold(pause).toNanos(), TimeUnit.NANOSECONDS);
        gate.queue.add(h);
        // the pause may have been lifted between the caller's look and the add: then no event would come
        FrontendControls now = stillPaused.get();
        if (now == null || now.pause() == null) {
            release(frontendKey);
        }
        return true;
    }

    /** Requests held now, every frontend together. */
    int total() {
        int n = 0;
        for (Gate g : gates.values()) {
            n += g.size.get();
        }
        return n;
    }

    /** Routes again, in arrival order, every request held for the frontend. */
    private void release(String frontendKey) {
        Gate gate = gates.get(frontendKey);
        if (gate == null) {
            return;
        }
        Held h;
        while ((h = gate.queue.poll()) != null) {
            if (h.done.compareAndSet(false, true)) {
                gate.size.decrementAndGet();
                h.timer.cancel(false);
                h.client.eventLoop().execute(h.resume);
            }
        }
    }

    /** Drops requests whose client left, so that they do not take the places of waiting ones. */
    private static void purgeGone(Gate gate) {
        gate.queue.removeIf(h -> {
            if (h.done.get()) {
                return true; // timed out before it was queued: already counted out
            }
            if (!h.client.isActive() && h.done.compareAndSet(false, true)) {
                h.timer.cancel(false);
                gate.size.decrementAndGet();
                return true;
            }
            return false;
        });
    }
}
