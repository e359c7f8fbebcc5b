package dev.portier.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A backend as written in a frontend list: {@code http://host[:port]}, the port defaulting to 80.
 * {@code authority} is host:port, the key connection pools use (kept, as it is asked per request).
 */
public record BackendUrl(String raw, String host, int port, String authority) {

    public BackendUrl(String raw, String host, int port) {
        this(raw, host, port, (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
    }

    /** Parses a list element; throws IllegalArgumentException naming what is wrong. */
    public static BackendUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("empty backend URL");
        }
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed backend URL '" + raw + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme)) {
            throw new IllegalArgumentException("backend URL '" + raw + "' must start with http://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("backend URL '" + raw + "' has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("backend URL '" + raw + "' has port " + port + " out of range");
        }
        return new BackendUrl(raw, host, port);
    }

    /** Parses a list element, or returns null when it is not a usable backend URL. */
    public static BackendUrl parseOrNull(String raw) {
        try {
            return parse(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static BackendUrl of(String host, int port) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return new BackendUrl("http://" + h + ":" + port, host, port);
    }

    @Override
    public String toString() {
        return raw;
    }
}
