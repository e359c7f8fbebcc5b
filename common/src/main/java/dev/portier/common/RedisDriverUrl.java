package dev.portier.common;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Locale;

/**
 * Hipache's driver URL, {@code redis://:password@host:port/db#prefix}, every part optional
 * ({@code redis:} alone means localhost:6379, database 0, no prefix).
 */
public record RedisDriverUrl(String host, int port, String password, int database, String prefix) {

    public static final int DEFAULT_PORT = 6379;

    /** Parses a driver URL; throws IllegalArgumentException saying what is wrong. */
    public static RedisDriverUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("empty Redis driver URL");
        }
        String s = url.trim();
        int colon = s.indexOf(':');
        String scheme = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis")) {
            throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "' must start with redis:");
        }
        s = s.substring(colon + 1);
        String prefix = "";
        int hash = s.indexOf('#');
        if (hash >= 0) {
            prefix = s.substring(hash + 1);
            s = s.substring(0, hash);
        }
        if (s.startsWith("//")) {
            s = s.substring(2);
        }
        int database = 0;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            String db = s.substring(slash + 1);
            s = s.substring(0, slash);
            if (!db.isEmpty()) {
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "': database '" + db + "' is not a number");
                }
                if (database < 0) {
                    throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "': database must be >= 0");
                }
            }
        }
        String password = null;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = s.substring(0, at);
            s = s.substring(at + 1);
            int pc = userInfo.indexOf(':');
            String pw = pc >= 0 ? userInfo.substring(pc + 1) : userInfo;
            password = pw.isEmpty() ? null : java.net.URLDecoder.decode(pw, java.nio.charset.StandardCharsets.UTF_8);
        }
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        if (!s.isEmpty()) {
            int pc = s.lastIndexOf(':');
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                host = s.substring(1, end);
                pc = s.indexOf(':', end);
            } else if (pc >= 0) {
                host = s.substring(0, pc);
            } else {
                host = s;
            }
            if (host.isEmpty()) {
                host = "127.0.0.1";
            }
            if (pc >= 0) {
                String p = s.substring(pc + 1);
                try {
                    port = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "': port '" + p + "' is not a number");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "': port " + port + " out of range");
                }
            }
        }
        return new RedisDriverUrl(host, port, password, database, prefix);
    }

    public RoutingKeys keys() {
        return new RoutingKeys(prefix);
    }

    /** The Lettuce URI for this server, with the given command timeout. */
    public RedisURI toRedisUri(Duration timeout) {
        RedisURI.Builder b = RedisURI.Builder.redis(host, port).withDatabase(database).withTimeout(timeout);
        if (password != null) {
            b.withPassword(password.toCharArray());
        }
        return b.build();
    }

    /** The URL with the password hidden, for logs and --dry output. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "redis://" + (password != null ? ":***@" : "") + h + ":" + port + "/" + database
                + (prefix.isEmpty() ? "" : "#" + prefix);
    }

    /** Hides the password of a raw driver URL for error messages. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("//([^@/#]*):[^@/#]*@", "//$1:***@");
    }
}
