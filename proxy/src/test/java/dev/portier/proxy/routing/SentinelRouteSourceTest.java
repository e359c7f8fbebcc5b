package dev.portier.proxy.routing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServer;
import dev.portier.common.testing.SentinelGroup;
import dev.portier.proxy.config.Balancing;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route source on a real Sentinel group: a failover (the master killed, or demoted by
 * SENTINEL FAILOVER) is followed, with the table routing throughout. The refresh is 60 s, so
 * only the keyspace subscription on the new master (or the one re-read after the reconnect) can
 * explain a change seen within seconds.
 */
class SentinelRouteSourceTest {

    private static SentinelGroup group;
    private RedisRouteSource source;

    @BeforeAll
    static void startGroup() {
        group = new SentinelGroup().start();
    }

    @AfterAll
    static void stopGroup() {
        if (group != null) {
            group.close();
        }
    }

    @BeforeEach
    void startSource() {
        RedisServer master = group.master();
        assertEquals("+OK", master.command("FLUSHALL"));
        assertEquals("+OK", master.command("CONFIG", "SET", "notify-keyspace-events", ""));
        RedisDriverUrl url = RedisDriverUrl.parse(group.driverUrl());
        source = new RedisRouteSource(url, url, Balancing.FIRST, Duration.ofSeconds(30), Duration.ofSeconds(60), true);
        await().atMost(Duration.ofSeconds(10)).until(source::redisConnected);
        await().atMost(Duration.ofSeconds(10)).until(source::indexComplete);
    }

    @AfterEach
    void closeSource() {
        if (source != null) {
            source.close();
        }
    }

    private String top(String host) {
        Lookup l = source.cached(host);
        return l == null || l.frontend() == null ? null : l.frontend().rawBackends().get(0);
    }

    private String resolveTop(String host) {
        Lookup l = source.lookup(host).toCompletableFuture().join();
        return l.frontend() == null ? null : l.frontend().rawBackends().get(0);
    }

    @Test
    void aKilledMasterIsReplacedAndTheTableRoutesThroughout() throws Exception {
        RedisServer master = group.master();
        master.command("RPUSH", "frontend:a.test", "app", "http://10.0.0.1:1");
        master.command("RPUSH", "frontend:b.test", "app", "http://10.0.0.2:2");
        assertEquals("http://10.0.0.1:1", resolveTop("a.test"));
        assertEquals("http://10.0.0.2:2", resolveTop("b.test"));
        group.awaitReplicated(Duration.ofSeconds(5));

        AtomicInteger misses = new AtomicInteger();
        AtomicReference<Boolean> watching = new AtomicReference<>(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                if (top("a.test") == null) {
                    misses.incrementAndGet();
                }
                Thread.onSpinWait();
            }
        });
        watcher.start();
        try {
            RedisServer killed = group.killMaster();
            RedisServer next = group.awaitNewMaster(killed, Duration.ofSeconds(30));
            // changed on the new master as redis-cli would: b.test while the proxy may still be away
            // (the re-read after the reconnect finds it), a.test once its subscription is back
            next.command("DEL", "frontend:b.test");
            next.command("RPUSH", "frontend:b.test", "app", "http://10.0.0.22:2");
            await().atMost(Duration.ofSeconds(10)).until(() -> "http://10.0.0.22:2".equals(top("b.test")));
            await().atMost(Duration.ofSeconds(10)).until(source::indexComplete);
            long written = System.nanoTime();
            assertEquals("+OK", next.command("LSET", "frontend:a.test", "1", "http://10.0.0.11:1"));
            try {
                await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1))
                        .until(() -> "http://10.0.0.11:1".equals(top("a.test")));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the write on the new master :" + next.port() + " was not routed; a.test is "
                        + top("a.test") + "; the master has " + next.reply("LRANGE", "frontend:a.test", "0", "-1")
                        + ", flags " + next.reply("CONFIG", "GET", "notify-keyspace-events")
                        + ", patterns " + next.reply("PUBSUB", "NUMPAT") + ", clients\n" + next.reply("CLIENT", "LIST")
                        + "\nsource " + source.snapshot(), e);
            }
            System.out.printf("a write on the new master was routed %d ms later%n", (System.nanoTime() - written) / 1_000_000);
            assertTrue(SentinelGroup.info(next, "server").contains("redis_version"));
            String flags = next.reply("CONFIG", "GET", "notify-keyspace-events");
            assertTrue(flags.contains("K"), "notifications turned on at the new master: " + flags);
            // an unknown host is answered on the new master too
            next.command("RPUSH", "frontend:c.test", "app", "http://10.0.0.3:3");
            assertEquals("http://10.0.0.3:3", resolveTop("c.test"));
            group.rejoin(killed, Duration.ofSeconds(30));
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertEquals(0, misses.get(), "the cached host was answered throughout");
    }

    @Test
    void deadMarksGoToTheNewMaster() {
        RedisServer master = group.master();
        master.command("RPUSH", "frontend:d.test", "app", "http://10.0.0.1:1", "http://10.0.0.2:2");
        Lookup before = source.lookup("d.test").toCompletableFuture().join();
        assertNotNull(before.frontend());
        group.failover();
        RedisServer next = group.awaitNewMaster(master, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> source.redisConnected() && source.indexComplete());
        // the demoted master stays up as a replica: a mark sent there would be refused (READONLY)
        Lookup l = source.lookup("d.test").toCompletableFuture().join();
        source.markDead(l, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> next.reply("SMEMBERS", "dead:d.test").trim().equals("0"));
        assertEquals(1, source.choose(l, new BitSet()));
        await().atMost(Duration.ofSeconds(30)).until(() -> SentinelGroup.info(master, "replication").contains("master_link_status:up"));
    }
}
