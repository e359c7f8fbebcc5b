package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Re-reads the lists in use and the dead marks of routed hosts, never what only unknown hosts
 * asked for: every refresh interval, and at once after a reconnect. One run at a time; one asked
 * for meanwhile follows it.
 */
final class TableRefresh {

    private final RedisLink read;
    private final RouteTable table;
    private final FrontendReader frontends;
    private final DeadMarkReader deadMarks;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    /** A run was asked for while one was under way: another follows it. */
    private volatile boolean again;

    TableRefresh(RedisLink read, RouteTable table, FrontendReader frontends, DeadMarkReader deadMarks) {
        this.read = read;
        this.table = table;
        this.frontends = frontends;
        this.deadMarks = deadMarks;
    }

    /** One periodic run (skipped while one is under way or Redis is down). */
    void run() {
        run(false);
    }

    /** A run after a reconnect, which logs what it read: changes made while the link was down are caught up. */
    void afterReconnect() {
        // a refresh already under way was sent to the old connection and failed or is failing
        refreshing.set(false);
        run(true);
    }

    private void run(boolean afterReconnect) {
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp()) {
            return;
        }
        // set before trying: a run ending now sees it (it clears its flag first, then looks here);
        // a run under way may have read a key before the change this request is about
        again = true;
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        again = false;
        long start = System.nanoTime();
        try {
            List<CompletableFuture<?>> reads = new ArrayList<>();
            Set<String> keySet = table.refreshKeys();
            for (String key : keySet) {
                reads.add(frontends.read(redis, key));
            }
            Set<String> deadHosts = table.refreshDeadHosts();
            for (String host : deadHosts) {
                reads.add(deadMarks.read(redis, host));
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
                refreshing.set(false);
                if (again) {
                    run(false);
                }
                if (afterReconnect) {
                    if (err == null) {
                        LOG.info("routing table re-read after the reconnect: {} keys, {} dead-mark sets in {} ms",
                                keySet.size(), deadHosts.size(), (System.nanoTime() - start) / 1_000_000);
                    } else {
                        LOG.warn("re-reading the routing table after the reconnect failed ({}); the refresh retries",
                                err.getMessage());
                    }
                }
            });
        } catch (RuntimeException e) {
            refreshing.set(false);
            LOG.debug("refresh failed: {}", e.toString());
        }
    }
}
