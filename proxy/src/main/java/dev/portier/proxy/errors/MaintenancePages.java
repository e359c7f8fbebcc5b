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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page a frontend in maintenance answers with: {@code maintenance.html} from the static
 * directory, else its {@code error_503.html}, else the built-in page; {@code {{message}}} in it is
 * replaced by the maintenance message, HTML-escaped. Read once at start; a page per message is
 * rendered once and kept (a few messages at a time), so a request copies nothing.
 */
public final class MaintenancePages {

    static final String PLACEHOLDER = "{{message}}";
    private static final int MAX_RENDERED = 64;

    private final String template;
    private final Map<String, ByteBuf> rendered = new ConcurrentHashMap<>();

    public MaintenancePages(Path staticDir) {
        template = load(staticDir);
    }

    private static String load(Path staticDir) {
        try {
            if (staticDir != null) {
                for (String name : new String[] {"maintenance.html", "error_503.html"}) {
                    Path file = staticDir.resolve(name);
                    if (Files.isRegularFile(file)) {
                        return Files.readString(file, StandardCharsets.UTF_8);
                    }
                }
            }
            try (InputStream in = MaintenancePages.class.getResourceAsStream("/errors/maintenance.html")) {
                if (in == null) {
                    throw new IllegalStateException("/errors/maintenance.html missing from the jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the maintenance page", e);
        }
    }

    /** A complete 503 with Retry-After and no-cache headers; the caller adds Connection. */
    public FullHttpResponse response(String message, int retryAfterSeconds) {
        ByteBuf page = rendered.get(message);
        if (page == null) {
            if (rendered.size() >= MAX_RENDERED) {
                rendered.clear(); // only costs rendering again
            }
            page = rendered.computeIfAbsent(message, m -> Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                    template.replace(PLACEHOLDER, escape(m)).getBytes(StandardCharsets.UTF_8)).asReadOnly()));
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                page.duplicate());
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        h.set(HttpHeaderNames.CONTENT_LENGTH, page.readableBytes());
        h.set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.PRAGMA, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.EXPIRES, "-1");
        return r;
    }

    /** The five characters that matter in HTML text and attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
