package dev.portier.common.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Redis Sentinel group on 127.0.0.1 for tests: a master, one replica and three sentinels
 * ({@code redis-server FILE --sentinel}, quorum 2), each on a free port, with a short
 * down-after-milliseconds so that a killed master is replaced within a few seconds. {@link #close()}
 * kills every process (also when {@link #start()} failed half-way); use it in {@code @AfterAll} or
 * try-with-resources.
 */
public final class SentinelGroup implements AutoCloseable {

    /** The master's name in Sentinel, as in {@code ?sentinelMasterId=}. */
    public static final String MASTER_ID = "mymaster";
    /** How long a master must be silent before a sentinel considers it down. */
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);
    /** Sentinel's failover timeout: also the pause before a failed failover is retried. */
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3000);

    private final List<RedisServer> servers = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();

    /** Starts master, replica and sentinels; returns once each sentinel knows the replica and the two other sentinels. */
    public SentinelGroup start() {
        try {
            RedisServer master = track(new RedisServer().start());
            RedisServer replica = track(RedisServer.withArgs("--replicaof", "127.0.0.1", String.valueOf(master.port())).start());
            await(Duration.ofSeconds(10), "replica linked to the master",
                    () -> info(replica, "replication").contains("master_link_status:up"));
            for (int i = 0; i < 3; i++) {
                RedisServer s = RedisServer.sentinel(String.join("\n",
                        "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + master.port() + " 2",
                        "sentinel down-after-milliseconds " + MASTER_ID + " " + DOWN_AFTER.toMillis(),
                        "sentinel failover-timeout " + MASTER_ID + " " + FAILOVER_TIMEOUT.toMillis(),
                        "sentinel parallel-syncs " + MASTER_ID + " 1", ""));
                sentinels.add(s);
                track(s.start());
            }
            // sentinels meet through hello messages on the master every 2 s; a failover needs them to know each other
            await(Duration.ofSeconds(20), "each sentinel to see the replica and the two other sentinels", () -> sentinels.stream()
                    .allMatch(s -> info(s, "sentinel").contains("slaves=1,sentinels=3")));
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private RedisServer track(RedisServer s) {
        servers.add(s);
        return s;
    }

    /** The driver URL of the group, no key prefix. */
    public String driverUrl() {
        return driverUrl("");
    }

    /** The driver URL of the group in Lettuce's syntax, with a key prefix (may be empty). */
    public String driverUrl(String prefix) {
        return "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "/0?sentinelMasterId=" + MASTER_ID + (prefix.isEmpty() ? "" : "#" + prefix);
    }

    public List<RedisServer> sentinels() {
        return List.copyOf(sentinels);
    }

    /** The port every reachable sentinel names as master now, if they agree. */
    public Optional<Integer> agreedMasterPort() {
        List<String> answers = new ArrayList<>();
        for (RedisServer s : sentinels) {
            String r = s.reply("SENTINEL", "get-master-addr-by-name", MASTER_ID);
            if (r != null) {
                answers.add(r.trim());
            }
        }
        if (answers.isEmpty() || answers.stream().distinct().count() != 1) {
            return Optional.empty();
        }
        String[] hostPort = answers.get(0).split("\n");
        return hostPort.length == 2 ? Optional.of(Integer.parseInt(hostPort[1].trim())) : Optional.empty();
    }

    /** The current master (as the sentinels agree and the server itself says). */
    public RedisServer master() {
        int port = agreedMasterPort().orElseThrow(() -> new IllegalStateException("the sentinels do not agree on a master"));
        return byPort(port);
    }

    /** The running server that is not the master. */
    public RedisServer replica() {
        RedisServer m = master();
        return servers.stream().filter(s -> s != m && !sentinels.contains(s) && s.isRunning()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no replica running"));
    }

    private RedisServer byPort(int port) {
        return servers.stream().filter(s -> s.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no server of the group on port " + port));
    }

    /**
     * Waits until the replica holds every write the master has taken so far. Replication is
     * asynchronous: a master killed right after a write may take it with it, and WAIT on a
     * connection of its own (as {@link RedisServer#command} opens) waits for nothing.
     */
    public void awaitReplicated(Duration timeout) {
        RedisServer m = master();
        long written = offset(info(m, "replication"), "master_repl_offset:");
        RedisServer r = replica();
        await(timeout, "the replica :" + r.port() + " at the master's offset " + written, () -> {
            String replication = info(r, "replication");
            return replication.contains("master_link_status:up") && offset(replication, "slave_repl_offset:") >= written;
        });
    }

    private static long offset(String replication, String field) {
        for (String line : replication.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim());
            }
        }
        return -1;
    }

    /** Kills the master as a crash would (SIGKILL); returns it. */
    public RedisServer killMaster() {
        RedisServer m = master();
        m.stop();
        return m;
    }

    /**
     * Waits until every sentinel names a master other than {@code old} and that server answers as
     * a master; returns it.
     */
    public RedisServer awaitNewMaster(RedisServer old, Duration timeout) {
        await(timeout, "a new master in place of :" + old.port(), () -> agreedMasterPort()
                .filter(p -> p != old.port())
                .map(p -> info(byPort(p), "replication").contains("role:master"))
                .orElse(false));
        return master();
    }

    /**
     * Starts a killed server again and waits until the group is whole: the sentinels agree on a
     * running master, and the other server is its linked replica as every sentinel sees it. Which
     * server ends up master is left open: on a loaded machine the sentinels may fail over once more
     * while the killed one comes back (a master CPU-starved past down-after-milliseconds), and the
     * group is as good for the next failover either way.
     */
    public void rejoin(RedisServer killed, Duration timeout) {
        killed.start();
        await(timeout, "the group whole again after :" + killed.port() + " came back", () -> {
            Optional<Integer> port = agreedMasterPort();
            if (port.isEmpty() || !info(byPort(port.get()), "replication").contains("role:master")) {
                return false;
            }
            RedisServer replica = servers.stream()
                    .filter(x -> x.port() != port.get() && !sentinels.contains(x) && x.isRunning()).findFirst().orElse(null);
            if (replica == null) {
                return false;
            }
            String replication = info(replica, "replication");
            return replication.contains("role:slave") && replication.contains("master_link_status:up")
                    && replication.contains("master_port:" + port.get() + "\n")
                    && sentinels.stream().allMatch(x -> {
                        // one replica known: its flags read "slave" alone once it is no longer down
                        String replicas = String.valueOf(x.reply("SENTINEL", "replicas", MASTER_ID));
                        return replicas.contains("\n" + replica.port() + "\n") && replicas.contains("flags\nslave\n")
                                && replicas.contains("master-link-status\nok\n");
                    });
        });
    }

    /** Asks a sentinel for a failover while the master still runs (it is demoted to replica). */
    public void failover() {
        String r = sentinels.get(0).reply("SENTINEL", "FAILOVER", MASTER_ID);
        if (r == null || !r.startsWith("+OK")) {
            throw new IllegalStateException("SENTINEL FAILOVER answered " + r);
        }
    }

    /** The INFO section of a server, or "" when it does not answer. */
    public static String info(RedisServer s, String section) {
        String r = s.reply("INFO", section);
        return r == null ? "" : r.replace("\r", "");
    }

    private void await(Duration timeout, String what, BooleanSupplier done) {
        try {
            Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(done::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("Sentinel group: no " + what + " within " + timeout.toMillis() + " ms; "
                    + describe(), e);
        }
    }

    private String describe() {
        StringBuilder b = new StringBuilder();
        for (RedisServer s : servers) {
            b.append("\n:").append(s.port()).append(sentinels.contains(s) ? " sentinel " : " server ")
                    .append(s.isRunning() ? "running" : "stopped");
            if (s.isRunning()) {
                String log = s.logText();
                b.append(", log tail: ").append(log.substring(Math.max(0, log.length() - 600)));
            }
        }
        return b.toString();
    }

    /** Kills every process of the group and removes their directories. */
    @Override
    public void close() {
        for (RedisServer s : servers) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // go on killing the others
            }
        }
    }
}
