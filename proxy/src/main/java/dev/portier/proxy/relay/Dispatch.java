package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.proxy.routing.CanarySplit;
import dev.portier.proxy.routing.FrontendControls;
import dev.portier.proxy.routing.Lookup;
import dev.portier.proxy.routing.Pause;
import dev.portier.proxy.wire.HeaderFields;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a backend for an exchange: its route (from the table in memory, else from Redis without
 * blocking the loop), the next live backend of the frontend, a pooled or new connection to it;
 * and after a failure, the next step the {@link RetryPolicy} gives.
 */
final class Dispatch {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);

    /** What dispatching asks of the connection it serves. */
    interface Flow {
        /** Whether {@code ex} is still the exchange waiting for a backend (the client may be gone). */
        boolean waitingForBackend(Exchange ex);

        /** {@code ex} has a backend connection. */
        void attached(BackendLease lease);

        /** No backend will serve {@code ex}: answer it from the proxy. */
        void refuse(HttpResponseStatus status, String reason);

        /** Answers {@code ex} with a response the proxy made (maintenance, pause). */
        void answer(FullHttpResponse response);

        /** Part of the response is already with the client: close. */
        void abort();
    }

    private final ChannelHandlerContext ctx;
    private final RelayContext rc;
    private final BackendPool pool;
    private final Flow flow;
    private final Supplier<String> peerIp;

    /** @param peerIp the client connection's peer address, asked only when a split needs it */
    Dispatch(ChannelHandlerContext ctx, RelayContext rc, BackendPool pool, Flow flow, Supplier<String> peerIp) {
        this.peerIp = peerIp;
        this.ctx = ctx;
        this.rc = rc;
        this.pool = pool;
        this.flow = flow;
    }

    /** Routes {@code ex} by its host, then connects it to a backend. */
    void route(Exchange ex) {
        Lookup cached = rc.routes().cached(ex.host);
        if (cached != null) {
            routed(ex, cached);
            return;
        }
        rc.routes().lookup(ex.host).whenComplete((l, err) -> ctx.executor().execute(() -> {
            if (flow.waitingForBackend(ex)) {
                routed(ex, err != null || l == null ? Lookup.unavailable(ex.host) : l);
            }
        }));
    }

    private void routed(Exchange ex, Lookup l) {
        ex.lookup = l;
        switch (l.status()) {
            case NOT_FOUND -> flow.refuse(HttpResponseStatus.BAD_REQUEST, "no frontend for " + ex.host);
            case UNAVAILABLE -> flow.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "routing table unavailable");
            case FOUND -> found(ex, l);
        }
    }

    /** A frontend matched: its controls (canary, maintenance, pause) first, then a backend. */
    private void found(Exchange ex, Lookup l) {
        FrontendControls c = rc.routes().controls(l);
        if (c != null && c.maintenance() != null) {
            flow.answer(rc.answers().maintenance(c.maintenance(), ex));
            return;
        }
        if (c != null && c.pause() != null) {
            hold(ex, l, c.pause());
            return;
        }
        if (c != null && c.canary() != null) {
            CanarySplit.Decision d = CanarySplit.decide(c.canary(), ex.request.fields().getNamed("cookie"),
                    ex.request.fields().get(HeaderFields.X_FORWARDED_FOR), peerIp.get());
            ex.canary = c.canary();
            ex.wantsCanary = d.canary();
            ex.canaryBucket = d.bucket();
            ex.newClientId = d.newCookieId();
        }
        nextBackend(ex);
    }

    /** Parks {@code ex} until its frontend's pause is lifted (then it is routed again, afresh) or maxHold passed. */
    private void hold(Exchange ex, Lookup l, Pause pause) {
        PausedRequests pauses = rc.pauses();
        boolean held = pauses.hold(l.frontendKey(), pause, ctx.channel(),
                () -> {
                    if (flow.waitingForBackend(ex)) {
                        route(ex); // the list may have changed during the pause
                    }
                },
                () -> {
                    if (flow.waitingForBackend(ex)) {
                        flow.answer(rc.answers().paused("frontend paused for longer than "
                                + pauses.maxHold(pause).toSeconds() + " s", ex));
                    }
                },
                () -> rc.routes().controls(l));
        if (!held) {
            flow.answer(rc.answers().paused("frontend paused and too many requests held", ex));
        }
    }

    private void nextBackend(Exchange ex) {
        if (ex.wantsCanary && !ex.canaryTried && !rc.routes().canaryDead(ex.canary)) {
            ex.canaryTried = true;
            ex.atCanary = true;
            ex.position = -1;
            connect(ex, ex.canary.backend());
            return;
        }
        ex.atCanary = false;
        int pos = rc.routes().choose(ex.lookup, ex.tried);
        if (pos < 0) {
            flow.refuse(HttpResponseStatus.BAD_GATEWAY, ex.tried.isEmpty() ? "no live backend" : "every backend failed");
            return;
        }
        ex.position = pos;
        ex.tried.set(pos);
        connect(ex, ex.lookup.frontend().backend(pos));
    }

    private void connect(Exchange ex, BackendUrl url) {
        ex.backendUrl = url;
        BackendLease.acquire(pool, url, (lease, cause) -> {
            if (!flow.waitingForBackend(ex) || url != ex.backendUrl) {
                if (lease != null) {
                    lease.discard();
                }
            } else if (cause instanceof NoBackendSocket) {
                // the proxy's own shortage: retrying elsewhere would meet it again, and a dead mark
                // would keep a healthy backend out of rotation after the shortage is over
                flow.answer(rc.answers().overloaded(cause.getMessage(), ex));
            } else if (lease == null) {
                LOG.debug("connect to {} failed: {}", url, cause.toString());
                failed(ex, null, false, RetryPolicy.Failure.CONNECT,
                        "cannot connect to " + url + ": " + cause.getMessage());
            } else {
                ex.responseSeen = false;
                ex.backendStartNanos = System.nanoTime();
                flow.attached(lease);
            }
        });
    }

    /**
     * The backend of {@code ex} failed; {@code lease} (null when connecting failed) is closed, and the
     * exchange goes to another backend, or gets an error, or its connection is closed.
     */
    void failed(Exchange ex, BackendLease lease, boolean sentToClient, RetryPolicy.Failure failure, String reason) {
        boolean retriesLeft = ex.retries < rc.settings().backends().retryOnError() && ctx.channel().isActive() && !ex.switching;
        RetryPolicy.Decision d = RetryPolicy.decide(failure, sentToClient, lease != null && lease.reused(),
                ex.responseSeen, ex.bodySent, RetryPolicy.isIdempotent(ex.request.method()), ex.hasBody, retriesLeft);
        if (lease != null) {
            lease.discard();
        }
        if (d.markDead()) {
            markDead(ex);
        }
        switch (d.action()) {
            case ABORT -> {
                LOG.debug("backend {} failed mid-response: {}", ex.backendUrl, failure);
                flow.abort();
            }
            case FAIL -> flow.refuse(HttpResponseStatus.valueOf(d.status()), reason);
            case RETRY, RETRY_FRESH -> {
                if (d.action() == RetryPolicy.Action.RETRY_FRESH) {
                    if (ex.atCanary) {
                        ex.canaryTried = false;
                    } else {
                        ex.tried.clear(ex.position);
                    }
                } else {
                    // the backend failed this attempt: its figures say so, though the client may get an answer
                    rc.metrics().failedAttempt(ex.frontendKey(), ex.backendUrl.raw(), d.status(),
                            System.nanoTime() - ex.startNanos);
                }
                ex.retries++;
                rc.metrics().retry();
                nextBackend(ex);
            }
        }
    }

    /** Hipache's dead mark on the exchange's backend (counted when the frontend has others to use). */
    void markDead(Exchange ex) {
        if (ex.atCanary) {
            rc.routes().markCanaryDead(ex.lookup, ex.canary);
            return;
        }
        Frontend f = ex.lookup.frontend();
        if (f != null && f.size() > 1) {
            rc.metrics().deadMark();
        }
        rc.routes().markDead(ex.lookup, ex.position);
    }
}
