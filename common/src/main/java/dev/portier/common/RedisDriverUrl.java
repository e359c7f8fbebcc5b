package dev.portier.common;

import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Hipache's driver URL, {@code redis://:password@host:port/db#prefix}, every part optional
 * ({@code redis:} alone means localhost:6379, database 0, no prefix), or a Sentinel group in
 * Lettuce's syntax, {@code redis-sentinel://:password@s1:26379,s2:26379/db?sentinelMasterId=name#prefix}
 * (the fragment stays the key prefix; the master's name is the query parameter). This is the one
 * place that turns a driver URL into a Lettuce {@link RedisURI}.
 *
 * @param host     the server; for a Sentinel group the first sentinel
 * @param port     its port
 * @param password the data server's password (master and replicas), or null
 * @param sentinels the sentinels to ask for the master, empty for a plain server
 * @param sentinelMasterId the master's name in Sentinel, null for a plain server
 */
public record RedisDriverUrl(String host, int port, String password, int database, String prefix,
                             List<Node> sentinels, String sentinelMasterId) {

    public static final int DEFAULT_PORT = 6379;
    public static final int DEFAULT_SENTINEL_PORT = 26379;
    private static final String SCHEME = "redis";
    private static final String SENTINEL_SCHEME = "redis-sentinel";
    private static final String MASTER_ID = "sentinelMasterId";

    /** A host and port. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public RedisDriverUrl {
        Objects.requireNonNull(host, "host");
        prefix = prefix == null ? "" : prefix;
        sentinels = List.copyOf(sentinels);
        if (sentinels.isEmpty() != (sentinelMasterId == null)) {
            throw new IllegalArgumentException("a Sentinel group needs both sentinels and a master name");
        }
    }

    /** A plain Redis server. */
    public RedisDriverUrl(String host, int port, String password, int database, String prefix) {
        this(host, port, password, database, prefix, List.of(), null);
    }

    /** Parses a driver URL; throws IllegalArgumentException saying what is wrong. */
    public static RedisDriverUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("empty Redis driver URL");
        }
        String s = url.trim();
        int colon = s.indexOf(':');
        String scheme = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        boolean sentinel = scheme.equals(SENTINEL_SCHEME);
        if (!scheme.equals(SCHEME) && !sentinel) {
            // worded as before Sentinel support: scripts and tests match it
            throw new IllegalArgumentException("Redis driver URL '" + redact(url) + "' must start with redis:");
        }
        s = s.substring(colon + 1);
        String prefix = "";
        int hash = s.indexOf('#');
        if (hash >= 0) {
            prefix = s.substring(hash + 1);
            s = s.substring(0, hash);
        }
        String query = null;
        int question = s.indexOf('?');
        if (question >= 0) {
            query = s.substring(question + 1);
            s = s.substring(0, question);
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
                    throw bad(url, "database '" + db + "' is not a number");
                }
                if (database < 0) {
                    throw bad(url, "database must be >= 0");
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
            password = pw.isEmpty() ? null : URLDecoder.decode(pw, StandardCharsets.UTF_8);
        }
        if (!sentinel) {
            if (query != null) {
                throw bad(url, "parameters (?" + query + ") are only read for redis-sentinel:");
            }
            Node node = node(url, s, DEFAULT_PORT);
            return new RedisDriverUrl(node.host(), node.port(), password, database, prefix);
        }
        String masterId = masterId(url, query);
        List<Node> nodes = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            if (part.isBlank()) {
                throw bad(url, "empty sentinel address in the list");
            }
            nodes.add(node(url, part.trim(), DEFAULT_SENTINEL_PORT));
        }
        return new RedisDriverUrl(nodes.get(0).host(), nodes.get(0).port(), password, database, prefix, nodes, masterId);
    }

    private static String masterId(String url, String query) {
        String masterId = null;
        if (query != null && !query.isEmpty()) {
            for (String param : query.split("&")) {
                int eq = param.indexOf('=');
                String name = eq < 0 ? param : param.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                if (!name.equals(MASTER_ID)) {
                    throw bad(url, "unknown parameter '" + name + "' (only " + MASTER_ID + " is read)");
                }
                masterId = value;
            }
        }
        if (masterId == null || masterId.isBlank()) {
            throw bad(url, "a Sentinel group needs the master's name as ?" + MASTER_ID
                    + "=NAME (the #fragment is the key prefix, as in redis:)");
        }
        return masterId;
    }

    private static Node node(String url, String s, int defaultPort) {
        String host = "127.0.0.1";
        int port = defaultPort;
        if (s.isEmpty()) {
            return new Node(host, port);
        }
        int pc = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw bad(url, "unclosed [ in '" + s + "'");
            }
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
                throw bad(url, "port '" + p + "' is not a number");
            }
            if (port < 1 || port > 65535) {
                throw bad(url, "port " + port + " out of range");
            }
        }
        return new Node(host, port);
    }

    private static IllegalArgumentException bad(String url, String what) {
        return new IllegalArgumentException("Redis driver URL '" + redact(url) + "': " + what);
    }

    public RoutingKeys keys() {
        return new RoutingKeys(prefix);
    }

    /** Whether the master is found through Sentinel (and may move on a failover). */
    public boolean isSentinel() {
        return sentinelMasterId != null;
    }

    /**
     * The Lettuce URI, with the given command timeout. For a Sentinel group Lettuce asks the
     * sentinels for the master at every connect and reconnect, so a connection follows a failover.
     * The password is the data servers' only: a sentinel without {@code requirepass} refuses AUTH.
     */
    public RedisURI toRedisUri(Duration timeout) {
        RedisURI.Builder b;
        if (isSentinel()) {
            b = RedisURI.Builder.sentinel(sentinels.get(0).host(), sentinels.get(0).port(), sentinelMasterId);
            for (Node n : sentinels.subList(1, sentinels.size())) {
                b.withSentinel(n.host(), n.port());
            }
        } else {
            b = RedisURI.Builder.redis(host, port);
        }
        b.withDatabase(database).withTimeout(timeout);
        if (password != null) {
            b.withPassword(password.toCharArray());
        }
        return b.build();
    }

    /** The URI of each sentinel, to watch it; empty for a plain server. */
    public List<RedisURI> sentinelUris(Duration timeout) {
        return sentinels.stream().map(n -> RedisURI.Builder.redis(n.host(), n.port()).withTimeout(timeout).build()).toList();
    }

    /** The URL with the password hidden, for logs and --dry output. */
    @Override
    public String toString() {
        String auth = password != null ? ":***@" : "";
        String tail = "/" + database + (isSentinel() ? "?" + MASTER_ID + "=" + sentinelMasterId : "")
                + (prefix.isEmpty() ? "" : "#" + prefix);
        if (isSentinel()) {
            return SENTINEL_SCHEME + "://" + auth + sentinels.stream().map(Node::toString).collect(Collectors.joining(",")) + tail;
        }
        return SCHEME + "://" + auth + new Node(host, port) + tail;
    }

    /** Hides the password of a raw driver URL for error messages. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("//([^@/#]*):[^@/#]*@", "//$1:***@");
    }
}
