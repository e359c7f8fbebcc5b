package dev.portier.proxy.relay;

import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.errors.MaintenancePages;
import dev.portier.proxy.routing.Maintenance;
import dev.portier.proxy.wire.HeadWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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

    /** Retry-After of a request that waited for a paused frontend for its whole maxHold. */
    static final int PAUSED_RETRY_AFTER_SECONDS = 5;

    private final ErrorPages pages;
    private final MaintenancePages maintenance;
    private final String version;
    private final FinOnLastWrite finOnLastWrite;

    LocalAnswers(ErrorPages pages, String version) {
        this(pages, new MaintenancePages(null), version, new FinOnLastWrite(null));
    }

    LocalAnswers(ErrorPages pages, MaintenancePages maintenance, String version, FinOnLastWrite finOnLastWrite) {
        this.pages = pages;
        this.maintenance = maintenance;
        this.version = version;
        this.finOnLastWrite = finOnLastWrite;
    }

    /** A frontend in maintenance: 503, its Retry-After, the maintenance page with its message. */
    FullHttpResponse maintenance(Maintenance m, Exchange ex) {
        return withDebug(maintenance.response(m.message(), m.retryAfter()), "frontend in maintenance", ex);
    }

    /** A request of a paused frontend that could not be held, or was held for the whole maxHold. */
    FullHttpResponse paused(String reason, Exchange ex) {
        FullHttpResponse r = withDebug(pages.response(HttpResponseStatus.SERVICE_UNAVAILABLE), reason, ex);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, PAUSED_RETRY_AFTER_SECONDS);
        return r;
    }

    /** The proxy itself is short of something (file descriptors): 503, come back in a second. */
    FullHttpResponse overloaded(String reason, Exchange ex) {
        FullHttpResponse r = withDebug(pages.response(HttpResponseStatus.SERVICE_UNAVAILABLE), reason, ex);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        return r;
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
        return withDebug(pages.response(status), reason, ex);
    }

    private FullHttpResponse withDebug(FullHttpResponse r, String reason, Exchange ex) {
        if (ex.debug) {
            r.headers().set(DebugHeaders.ERROR, reason);
            if (ex.lookup != null && ex.lookup.frontend() != null) {
                DebugHeaders.add(r.headers(), version, ex);
            }
        }
        return r;
    }

    /**
     * Writes {@code r} as the answer to {@code ex}, through the same writer as proxied heads; returns
     * whether the connection goes on, else it closes once the answer is out.
     */
    boolean send(ChannelHandlerContext ctx, FullHttpResponse r, Exchange ex, boolean draining) {
        boolean goOn = ex.keepAlive && ex.requestComplete && !draining;
        if (!goOn) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.http10) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ByteBuf bytes = HeadWriter.local(r, ctx.alloc(), ex.headRequest);
        if (goOn) {
            ctx.writeAndFlush(bytes, ctx.voidPromise());
        } else {
            finOnLastWrite.beforeLastFlush(ctx.channel());
            ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
        }
        return goOn;
    }
}
