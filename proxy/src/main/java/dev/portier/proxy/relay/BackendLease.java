package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One exchange's hold on a backend connection, from attach to the one place it ends: released for
 * reuse, discarded, or handed over to a tunnel. A connection that did not end a whole response
 * with nothing after it is never released for reuse, whatever the caller asks.
 */
final class BackendLease {

    private final BackendPool pool;
    private final Channel channel;
    private final BackendHandler handler;
    private final BackendUrl url;
    private final boolean reused;
    private boolean ended;

    private BackendLease(BackendPool pool, Channel channel, BackendUrl url, boolean reused) {
        this.pool = pool;
        this.channel = channel;
        this.handler = channel.pipeline().get(BackendHandler.class);
        this.url = url;
        this.reused = reused;
    }

    /** A kept-alive connection from the pool, or null when none is idle. */
    static BackendLease fromPool(BackendPool pool, BackendUrl url) {
        Channel ch = pool.acquire(url);
        return ch == null ? null : new BackendLease(pool, ch, url, true);
    }

    /** A connection the pool has just opened. */
    static BackendLease opened(BackendPool pool, Channel ch, BackendUrl url) {
        return new BackendLease(pool, ch, url, false);
    }

    /** Binds the connection to {@code events} and tells its parser what the response answers. */
    void attach(BackendEvents events, boolean headRequest, boolean dechunk) {
        handler.bind(events);
        handler.decoder().expect(headRequest, dechunk);
    }

    BackendUrl url() {
        return url;
    }

    /** Whether the connection came from the pool (it may have been closed by the backend meanwhile). */
    boolean reused() {
        return reused;
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    /** Sends request bytes; the backend's silence is counted from here. */
    void send(ByteBuf bytes) {
        channel.writeAndFlush(bytes, channel.voidPromise());
        handler.progress();
    }

    void read() {
        channel.read();
    }

    /** Reads again after holding back for a slow client; that pause is not the backend's silence. */
    void resumeRead() {
        handler.progress();
        channel.read();
    }

    /** Ends the lease after a whole exchange: pooled when {@code reusable} and the connection is clean. */
    void release(boolean reusable) {
        if (end()) {
            if (reusable && handler.decoder().isClean()) {
                pool.release(channel, url);
            } else {
                pool.discard(channel);
            }
        }
    }

    /** Ends the lease and closes the connection (a half-used connection is never pooled). */
    void discard() {
        if (end()) {
            pool.discard(channel);
        }
    }

    /** Ends the lease and gives the connection to a tunnel that now owns it; it leaves HTTP and the pool. */
    Channel handOver() {
        if (end()) {
            pool.handOver(channel);
        }
        return channel;
    }

    private boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        handler.unbind();
        return true;
    }
}
