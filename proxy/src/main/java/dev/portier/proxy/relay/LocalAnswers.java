package dev.portier.proxy.relay;

import dev.portier.proxy.errors.ErrorPages;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The answers the proxy gives itself: the load balancer's pong, and error pages (with debug headers when asked). */
final class LocalAnswers {

    static final String PING_HOST = "__ping__";

    private final ErrorPages pages;
    private final String version;

    LocalAnswers(ErrorPages pages, String version) {
        this.pages = pages;
        this.version = version;
    }

    /** Hipache's answer to {@code Host: __ping__}. */
    FullHttpResponse pong() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer("ok".getBytes(StandardCharsets.US_ASCII)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return r;
    }

    /** The error page for {@code status}; with {@code X-Debug}, the reason and what routing knew. */
    FullHttpResponse error(HttpResponseStatus status, String reason, Exchange ex) {
        FullHttpResponse r = pages.response(status);
        if (ex.debug) {
            r.headers().set(DebugHeaders.ERROR, reason);
            if (ex.lookup != null && ex.lookup.frontend() != null) {
                DebugHeaders.add(r.headers(), version, ex.lookup, ex.position, ex.backendUrl, ex.startNanos,
                        ex.backendStartNanos);
            }
        }
        return r;
    }
}
