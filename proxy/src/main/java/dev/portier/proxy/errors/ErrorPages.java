package dev.portier.proxy.errors;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The HTML pages of the proxy's own error responses: {@code error_<code>.html}, else
 * {@code error_default.html}, from the static directory when it has them, else built in.
 * All are read once at start so no file is touched on an event loop.
 */
public final class ErrorPages {

    private static final int[] CODES = {400, 404, 405, 414, 431, 500, 502, 503, 504};

    private final Map<Integer, ByteBuf> pages = new HashMap<>();
    private final ByteBuf fallback;

    public ErrorPages(Path staticDir) {
        fallback = load(staticDir, "error_default.html");
        for (int code : CODES) {
            ByteBuf page = load(staticDir, "error_" + code + ".html");
            if (page != null) {
                pages.put(code, page);
            }
        }
    }

    private static ByteBuf load(Path staticDir, String name) {
        try {
            if (staticDir != null) {
                Path file = staticDir.resolve(name);
                if (Files.isRegularFile(file)) {
                    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(Files.readAllBytes(file)).asReadOnly());
                }
            }
            try (InputStream in = ErrorPages.class.getResourceAsStream("/errors/" + name)) {
                return in == null ? null : Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(in.readAllBytes()).asReadOnly());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read error page " + name, e);
        }
    }

    /** A complete error response with Hipache's no-cache headers; the caller adds Connection. */
    public FullHttpResponse response(HttpResponseStatus status) {
        ByteBuf page = pages.getOrDefault(status.code(), fallback);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, page.duplicate());
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        h.set(HttpHeaderNames.CONTENT_LENGTH, page.readableBytes());
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.PRAGMA, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.EXPIRES, "-1");
        return r;
    }
}
