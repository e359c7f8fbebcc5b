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

    private DebugHeaders() {
    }

    static void add(HttpHeaders h, String version, Lookup lookup, int position, BackendUrl backend,
                    long startNanos, long backendStartNanos) {
        long now = System.nanoTime();
        h.set(VERSION, version);
        if (lookup != null && lookup.frontend() != null) {
            h.set(VHOST, lookup.frontend().identifier());
            h.set(FRONTEND_KEY, lookup.frontendKey());
        }
        if (backend != null) {
            h.set(BACKEND_URL, backend.raw());
            h.set(BACKEND_ID, position);
            h.set(TIME_BACKEND, (now - backendStartNanos) / 1_000_000);
        }
        h.set(TIME_TOTAL, (now - startNanos) / 1_000_000);
    }
}
