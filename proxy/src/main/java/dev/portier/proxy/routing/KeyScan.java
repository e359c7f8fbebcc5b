package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import dev.portier.common.RoutingKeys;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Rebuilds the key indexes with a SCAN of every key family, and decides whether they are trusted:
 * only while events flow, that is the notification flags verified and our patterns subscribed
 * before the scan began, and nothing lost since (every loss bumps the epoch).
 */
final class KeyScan {

    /**
     * Period of the safety net under the key index: re-check the notification flags and SCAN again
     * (events are not sent for a replica's full resync or SWAPDB, for example).
     */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(30);
    private static final int SCAN_COUNT = 1000;

    private final RedisLink read;
    private final RoutingKeys keys;
    private final KeyIndexes indexes;
    private final NotificationFlags flags;
    private final Executor timer;
    private volatile boolean patternsSubscribed;
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicBoolean scanning = new AtomicBoolean();
    private volatile boolean scanAgain;
    private volatile boolean wasComplete;
    private volatile boolean closed;

    KeyScan(RedisLink read, RoutingKeys keys, KeyIndexes indexes, NotificationFlags flags, Executor timer) {
        this.read = read;
        this.keys = keys;
        this.indexes = indexes;
        this.flags = flags;
        this.timer = timer;
    }

    /** Our patterns are subscribed (also after Lettuce re-subscribes on a new connection): events flow again, scan again. */
    void eventsFlowing() {
        patternsSubscribed = true;
        timer.execute(this::request);
    }

    /** Events may have been lost (the subscription dropped): unknown hosts go to Redis until the next trusted scan. */
    void eventsLost() {
        patternsSubscribed = false;
        epoch.incrementAndGet();
        indexes.all().forEach(KeyIndex::invalidate);
        if (wasComplete) {
            wasComplete = false;
            LOG.info("key index suspended until the keyspace subscription is back");
        }
    }

    /**
     * Checks the flags and scans both key families (a scan also lets the index catch up on an
     * event-less change); a request made while one runs is served by another run right after.
     */
    void request() {
        if (closed) {
            return;
        }
        if (!scanning.compareAndSet(false, true)) {
            scanAgain = true;
            return;
        }
        scanAgain = false;
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp()) {
            scanning.set(false);
            return;
        }
        long epochAtStart = epoch.get();
        boolean subscribedAtStart = patternsSubscribed;
        long start = System.nanoTime();
        CompletableFuture<Boolean> run;
        try {
            run = flags.enable(redis).thenCompose(on -> {
                indexes.all().forEach(KeyIndex::beginScan);
                CompletableFuture<Void> scans = scan(redis, ScanCursor.INITIAL, keys.frontendPattern(),
                        keys::hostOfFrontendKey, indexes.frontends)
                        .thenCompose(v -> scan(redis, ScanCursor.INITIAL, keys.deadPattern(), keys::hostOfDeadKey,
                                indexes.dead));
                for (ControlFamily family : ControlFamily.values()) {
                    scans = scans.thenCompose(v -> scan(redis, ScanCursor.INITIAL, family.pattern(keys),
                            k -> family.hostOf(keys, k), indexes.control(family)));
                }
                return scans.thenApply(v -> on && subscribedAtStart);
            });
        } catch (RuntimeException e) {
            run = CompletableFuture.failedFuture(e);
        }
        run.whenComplete((ready, err) -> {
            if (err != null) {
                indexes.all().forEach(KeyIndex::abandonScan);
                LOG.debug("key scan failed: {}", err.toString());
            } else {
                boolean trusted = ready && patternsSubscribed && epoch.get() == epochAtStart;
                indexes.all().forEach(i -> i.endScan(trusted));
                if (trusted && !wasComplete) {
                    LOG.info("key index complete ({} frontend keys, {} dead-mark keys, {} ms): hosts without a frontend"
                                    + " key are answered from memory", indexes.frontends.size(), indexes.dead.size(),
                            (System.nanoTime() - start) / 1_000_000);
                }
                wasComplete = trusted;
            }
            scanning.set(false);
            if (scanAgain) {
                timer.execute(this::request);
            }
        });
    }

    private CompletableFuture<Void> scan(RedisAsyncCommands<String, String> redis, ScanCursor cursor, String pattern,
                                         Function<String, String> name, KeyIndex index) {
        return redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT)).toCompletableFuture()
                .thenCompose((KeyScanCursor<String> page) -> {
                    List<String> names = new ArrayList<>(page.getKeys().size());
                    for (String k : page.getKeys()) {
                        String n = name.apply(k);
                        if (n != null) {
                            names.add(n);
                        }
                    }
                    index.scanned(names);
                    return page.isFinished() ? CompletableFuture.completedFuture(null)
                            : scan(redis, page, pattern, name, index);
                });
    }

    /** No scan starts after this. */
    void close() {
        closed = true;
    }
}
