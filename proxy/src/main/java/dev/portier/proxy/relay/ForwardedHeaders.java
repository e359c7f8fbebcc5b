package dev.portier.proxy.relay;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;
import java.util.List;

/** Header rewriting at the proxy boundary: hop-by-hop headers out, X-Forwarded-* in. */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_PROTOCOL = AsciiString.cached("x-forwarded-protocol");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");

    private ForwardedHeaders() {
    }

    /**
     * Prepares a client request for a backend. X-Forwarded-For gets the peer appended and X-Real-IP
     * is the peer, so neither can be spoofed past us. Proto, Protocol and Port are kept when present
     * because the load balancer in front (which terminated TLS) knows them better than we do.
     */
    static void toBackend(HttpMessage request, String peerIp, String scheme, int localPort, boolean upgrade) {
        HttpHeaders h = request.headers();
        removeHopByHop(h, upgrade);
        String xff = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? peerIp : xff + ", " + peerIp);
        h.set(X_REAL_IP, peerIp);
        if (!h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, scheme);
        }
        if (!h.contains(X_FORWARDED_PROTOCOL)) {
            h.set(X_FORWARDED_PROTOCOL, scheme);
        }
        if (!h.contains(X_FORWARDED_PORT)) {
            h.set(X_FORWARDED_PORT, localPort);
        }
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
    }

    /** Removes the headers that describe one connection and must not cross the proxy (RFC 9110 7.6.1). */
    static void removeHopByHop(HttpHeaders h, boolean keepUpgrade) {
        // most HTTP/1.1 requests carry no Connection header: no list to build then
        List<String> connection = h.contains(HttpHeaderNames.CONNECTION)
                ? h.getAll(HttpHeaderNames.CONNECTION) : List.of();
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))
                        && !name.equalsIgnoreCase("transfer-encoding") && !name.equalsIgnoreCase("content-length")) {
                    h.remove(name);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        if (!keepUpgrade) {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
