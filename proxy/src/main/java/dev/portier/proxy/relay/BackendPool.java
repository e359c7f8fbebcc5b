package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kept-alive backend connections of ONE event loop, by backend host:port. Only that loop's
 * thread touches it, so it needs no lock; connections are opened on the same loop as the client
 * connection that uses them, so bytes never cross threads.
 */
final class BackendPool {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

    private final Bootstrap bootstrap;
    private final int maxIdlePerBackend;
    private final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();
    private int idleCount;
    private int active;
    /** When {@link #unopened} last warned (nanoTime, 0: never), and how many since. */
    private long noSocketWarnedAt;
    private int noSocketSinceWarn;
    static final long NO_SOCKET_WARN_NANOS = TimeUnit.SECONDS.toNanos(10);

    BackendPool(Bootstrap bootstrap, int maxIdlePerBackend) {
        this.bootstrap = bootstrap;
        this.maxIdlePerBackend = maxIdlePerBackend;
    }

    /** The loop this pool belongs to (its connections' and its own). */
    EventLoop loop() {
        return (EventLoop) bootstrap.config().group();
    }

    /** A kept-alive connection to the backend, or null when none is idle. */
    Channel acquire(BackendUrl backend) {
        ArrayDeque<Channel> q = idle.get(backend.authority());
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            idleCount--;
            if (ch.isActive()) {
                active++;
                return ch;
            }
        }
        return null;
    }

    ChannelFuture connect(BackendUrl backend) {
        ChannelFuture f = bootstrap.connect(backend.host(), backend.port());
        active++;
        f.channel().closeFuture().addListener(c -> onClosed(f.channel(), backend));
        return f;
    }

    /** Returns a connection whose exchange ended cleanly; beyond the idle limit it is closed. */
    void release(Channel ch, BackendUrl backend) {
        active--;
        if (!ch.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(backend.authority(), k -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerBackend) {
            ch.close();
            return;
        }
        q.addLast(ch);
        idleCount++;
        // a pending read lets us see the backend closing an idle connection before we reuse it
        ch.read();
    }

    /** Drops a connection that will not be reused (the caller closes it). */
    void discard(Channel ch) {
        active--;
        ch.close();
    }

    /**
     * Counts off a connection that never got a socket ({@link #connect} counted it), and says so in
     * the log at most every {@link #NO_SOCKET_WARN_NANOS}: at the file limit every request would.
     */
    void unopened(NoBackendSocket failure) {
        active--;
        noSocketSinceWarn++;
        long now = System.nanoTime();
        if (noSocketWarnedAt == 0 || now - noSocketWarnedAt >= NO_SOCKET_WARN_NANOS) {
            LOG.warn("{} ({} request(s) answered 503 for it since the last warning; raise the file limit, ulimit -n)",
                    failure.getMessage(), noSocketSinceWarn);
            noSocketWarnedAt = now | 1;
            noSocketSinceWarn = 0;
        }
    }

    /** Gives up a connection that leaves HTTP (an upgraded tunnel now owns it). */
    void handOver(Channel ch) {
        active--;
    }

    private void onClosed(Channel ch, BackendUrl backend) {
        ArrayDeque<Channel> q = idle.get(backend.authority());
        if (q != null && q.remove(ch)) {
            idleCount--;
            if (q.isEmpty()) {
                idle.remove(backend.authority());
            }
        }
    }

    /** Closes idle connections to backends no frontend lists any more. */
    void retainOnly(Set<String> routedAuthorities) {
        for (Iterator<Map.Entry<String, ArrayDeque<Channel>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Channel>> e = it.next();
            if (!routedAuthorities.contains(e.getKey())) {
                it.remove();
                for (Channel ch : e.getValue()) {
                    idleCount--;
                    ch.close();
                }
            }
        }
    }

    int idleCount() {
        return idleCount;
    }

    int activeCount() {
        return active;
    }
}
