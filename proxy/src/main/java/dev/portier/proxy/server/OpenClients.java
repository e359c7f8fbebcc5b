package dev.portier.proxy.server;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The admitted client connections, in one set per event loop that only its loop touches: what a
 * drain tells and a stop closes. Netty's {@code DefaultChannelGroup} does the same with one
 * concurrent map for all loops and a close listener on every channel, two contended updates and a
 * listener per connection where this takes a plain set insert and removal.
 */
final class OpenClients {

    private final Map<EventExecutor, Set<Channel>> byLoop = new ConcurrentHashMap<>();

    /** On the channel's loop, at its activation. */
    void add(Channel ch) {
        byLoop.computeIfAbsent(ch.eventLoop(), l -> new HashSet<>()).add(ch);
    }

    /** On the channel's loop, when it closes. */
    void remove(Channel ch) {
        Set<Channel> set = byLoop.get(ch.eventLoop());
        if (set != null) {
            set.remove(ch);
        }
    }

    /**
     * The connections open now, each loop's read on that loop; a loop that does not answer within
     * {@code timeoutMillis} (stopped, or stuck) is left out.
     */
    List<Channel> snapshot(long timeoutMillis) {
        List<Channel> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<Future<List<Channel>>> pending = new ArrayList<>();
        byLoop.forEach((loop, set) -> {
            if (loop.inEventLoop()) {
                all.addAll(set);
            } else {
                try {
                    pending.add(loop.submit(() -> new ArrayList<>(set)));
                } catch (RejectedExecutionException e) {
                    // the loop is stopping: it closes its channels itself
                }
            }
        });
        for (Future<List<Channel>> f : pending) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS) && f.isSuccess()) {
                all.addAll(f.getNow());
            }
        }
        return all;
    }
}
