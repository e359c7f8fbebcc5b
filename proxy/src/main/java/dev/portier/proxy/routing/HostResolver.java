package dev.portier.proxy.routing;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers hosts the table cannot answer from memory: reads the host's unknown candidate keys once
 * (concurrent misses share the read), then, when it is FOUND, its dead marks.
 */
final class HostResolver {

    private final RouteTable table;
    private final RedisLink read;
    private final FrontendReader frontends;
    private final DeadMarkReader deadMarks;
    private final EventBarrier barrier;
    private final Map<String, CompletableFuture<Lookup>> inflight = new ConcurrentHashMap<>();

    HostResolver(RouteTable table, RedisLink read, FrontendReader frontends, DeadMarkReader deadMarks,
                 EventBarrier barrier) {
        this.table = table;
        this.read = read;
        this.frontends = frontends;
        this.deadMarks = deadMarks;
        this.barrier = barrier;
    }

    /** Resolves a host not answered from memory; UNAVAILABLE at once while Redis is down. */
    CompletableFuture<Lookup> resolve(String host) {
        CompletableFuture<Lookup> running = inflight.get(host);
        if (running != null) {
            return running;
        }
        RedisAsyncCommands<String, String> redis = read.commands();
        if (redis == null || !read.isUp()) {
            return CompletableFuture.completedFuture(Lookup.unavailable(host));
        }
        CompletableFuture<Lookup> mine = new CompletableFuture<>();
        running = inflight.putIfAbsent(host, mine);
        if (running != null) {
            return running;
        }
        if (table.indexes().frontends.complete()) {
            barrier.eventsApplied().whenComplete((v, err) -> readAndResolve(redis, host, mine, 1));
        } else {
            readAndResolve(redis, host, mine, 1);
        }
        return mine;
    }

    /**
     * Reads the host's unknown candidate keys, then (when it is FOUND) its dead marks: a miss costs
     * no dead-mark read. When a key became unknown meanwhile, reads again (once).
     */
    private void readAndResolve(RedisAsyncCommands<String, String> redis, String host, CompletableFuture<Lookup> mine,
                                int retries) {
        RouteTable.ReadPlan plan = table.keysToRead(host);
        List<CompletableFuture<?>> reads = new ArrayList<>(plan.keys().size());
        try {
            for (String key : plan.keys()) {
                reads.add(frontends.read(redis, key));
            }
        } catch (RuntimeException e) {
            reads.add(CompletableFuture.failedFuture(e));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            Lookup l = table.resolveAfterRead(host, plan);
            if (l == null || l.status() != Lookup.Status.FOUND || !table.indexes().dead.mayExist(host)) {
                return CompletableFuture.completedFuture(l);
            }
            return deadMarks.read(redis, host).thenApply(d -> l);
        }).whenComplete((l, err) -> {
            if (l == null && err == null && retries > 0) {
                readAndResolve(redis, host, mine, retries - 1);
                return;
            }
            try {
                Lookup answer = l == null ? Lookup.unavailable(host)
                        : l.status() == Lookup.Status.FOUND ? table.remember(host, l) : l;
                if (answer.status() == Lookup.Status.NOT_FOUND) {
                    table.missSeen(host);
                }
                mine.complete(answer);
            } finally {
                inflight.remove(host, mine);
            }
        });
    }
}
