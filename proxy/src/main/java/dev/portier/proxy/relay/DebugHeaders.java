package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import dev.portier.proxy.routing.Lookup;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Hipache's {@code x-debug-*} response headers, added when the request carried {@code X-Debug}. */
final class DebugHeaders {

    static final AsciiString VERSION = AsciiString.cached("x-debug-version-hipache");
    static final AsciiString BACKEND_URL = AsciiString.cached("x-debug-backend-url");
    static final AsciiString BACKEND_ID = AsciiString.cached("x-debug-backend-id");
    static final AsciiString VHOST = AsciiString.cached("x-debug-vhost");
    static final AsciiString FRONTEND_KEY = AsciiString.cached("x-debug-frontend-key");
    static final AsciiString TIME_TOTAL = AsciiString.cached("x-debug-time-total");
    static final AsciiString TIME_BACKEND = AsciiString.cached("x-debug-time-backend");
    static final AsciiString ERROR = AsciiString.cached("x-debug-error");
    /** With a canary on the frontend: {@code canary} or {@code live}, the client's bucket and the share. */
    static final AsciiString CANARY = AsciiString.cached("x-debug-canary");

    private DebugHeaders() {
    }

    static void add(HttpHeaders h, String version, Exchange ex) {
        long now = System.nanoTime();
        Lookup lookup = ex.lookup;
        BackendUrl backend = ex.backendUrl;
        h.set(VERSION, version);
        if (lookup != null && lookup.frontend() != null) {
            h.set(VHOST, lookup.frontend().identifier());
            h.set(FRONTEND_KEY, lookup.frontendKey());
        }
        if (backend != null) {
            h.set(BACKEND_URL, backend.raw());
            // the canary is not in the list, so it has no position
            h.set(BACKEND_ID, ex.atCanary ? "canary" : String.valueOf(ex.position));
            h.set(TIME_BACKEND, (now - ex.backendStartNanos) / 1_000_000);
        }
        if (ex.canary != null) {
            h.set(CANARY, ex.split() + "; bucket=" + ex.canaryBucket + "; percent=" + ex.canary.percent());
        }
        h.set(TIME_TOTAL, (now - ex.startNanos) / 1_000_000);
    }
}
