package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import dev.portier.proxy.accesslog.AccessLog;
import dev.portier.proxy.accesslog.AccessRecord;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.Canary;
import dev.portier.proxy.routing.Lookup;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.HeaderFields;
import dev.portier.proxy.wire.RequestHead;
import java.util.BitSet;

/**
 * One request and its answer: what was asked, where it was routed, how far it got, and what the
 * access log and metrics say of it. A new one per request, so nothing of the last leaks into the next.
 */
final class Exchange {

    /** The request, or null when the parser refused it before there was one. */
    final RequestHead request;
    final long startNanos = System.nanoTime();
    final boolean hasBody;
    final boolean upgrade;
    final boolean debug;
    final boolean headRequest;
    final boolean http10;
    /** The client's connection may stay open after this exchange. */
    boolean keepAlive;

    // routing
    String host;
    Lookup lookup;
    int position = -1;
    final BitSet tried = new BitSet();
    int retries;
    BackendUrl backendUrl;

    // the canary split (only when the frontend has a canary)
    /** The frontend's canary when the exchange was routed, or null. */
    Canary canary;
    /** The split sends this client to the canary. */
    boolean wantsCanary;
    /** The client's bucket, 0..99 (-1 without a canary). */
    int canaryBucket = -1;
    /** A new client id to give in a cookie with the response, or null. */
    String newClientId;
    /** The canary was tried (it is not tried again after a failure). */
    boolean canaryTried;
    /** The current backend is the canary (it has no list position). */
    boolean atCanary;

    // the request's progress
    boolean requestComplete;
    boolean bodySent;
    /** Routing waits for the body's first part (a chunked body is checked before a backend sees it). */
    boolean routeAfterFirstPart;
    /** A body part read before a backend was attached (a chunked body's first part, or one read for a backend that failed). */
    BodyPart held;

    // the response's progress
    /** The backend sent anything for this exchange on its connection. */
    boolean responseSeen;
    /** A final response head came from the backend. */
    boolean responseStarted;
    /** A 1xx interim response is being passed on. */
    boolean interim;
    /** A 101 is being passed on: the connection becomes a tunnel. */
    boolean switching;
    ResponseFraming framing;

    // what the log records
    boolean recorded;
    int status;
    int backendStatus;
    long backendStartNanos;
    long backendNanos = -1;
    long bytesIn;
    long bytesOut;

    private Exchange(RequestHead request, boolean keepAlive, boolean debug) {
        this.request = request;
        this.keepAlive = keepAlive;
        this.debug = debug;
        if (request != null) {
            hasBody = request.hasBody();
            upgrade = request.upgrade() != null;
            headRequest = request.isHead();
            http10 = request.isHttp10();
            // a bodyless request is whole once its head is here
            requestComplete = !hasBody;
        } else {
            hasBody = false;
            upgrade = false;
            headRequest = false;
            http10 = false;
        }
    }

    /** @param keepAliveAllowed the proxy keeps client connections open at all ({@code server.httpKeepAlive}) */
    static Exchange of(RequestHead request, boolean keepAliveAllowed, boolean debugAllowed) {
        return new Exchange(request, keepAliveAllowed && request.keepAlive(), debugAllowed && request.debug());
    }

    /** The parser refused what the client sent: the refusal is logged and counted, then the connection closes. */
    static Exchange refused() {
        return new Exchange(null, false, false);
    }

    boolean isRefused() {
        return request == null;
    }

    /** Releases a body part still held (the exchange ends without a backend taking it). */
    void dropHeld() {
        BodyPart h = held;
        if (h != null) {
            held = null;
            requestComplete |= h.isLast();
            h.release();
        }
    }

    /** A backend answered: its status and how long it took to its head. */
    void backendAnswered(int code) {
        backendStatus = code;
        backendNanos = System.nanoTime() - backendStartNanos;
    }

    String frontendKey() {
        return lookup == null ? null : lookup.frontendKey();
    }

    /** The access log line and metrics of the exchange, once; {@code status} 499 (nginx's) when the client left first. */
    void report(int finalStatus, ProxyMetrics metrics, String peer) {
        if (recorded) {
            return;
        }
        recorded = true;
        status = finalStatus;
        long totalNanos = System.nanoTime() - startNanos;
        metrics.request(frontendKey(), backendUrl == null ? null : backendUrl.raw(), status, totalNanos, backendNanos,
                bytesIn, bytesOut);
        if (AccessLog.enabled()) {
            AccessLog.log(toRecord(peer, totalNanos));
        }
    }

    AccessRecord toRecord(String peer, long totalNanos) {
        RequestHead r = request;
        HeaderFields f = r == null ? null : r.fields();
        return new AccessRecord(peer, r == null ? null : r.method(), r == null ? null : r.uri(),
                r == null ? null : http10 ? "HTTP/1.0" : "HTTP/1.1", status, bytesOut,
                f == null ? null : f.get(HeaderFields.REFERER), f == null ? null : f.get(HeaderFields.USER_AGENT),
                // __ping__ and refused requests were never normalised: show the Host as sent
                host != null ? host : r == null ? null : r.host(),
                totalNanos, backendNanos, frontendKey(),
                backendStatus > 0 && backendUrl != null ? backendUrl.raw() : null, backendStatus, bytesIn, split());
    }

    /** {@code canary} or {@code live} when the frontend had a canary, else null. */
    String split() {
        return canary == null ? null : atCanary ? "canary" : "live";
    }
}
