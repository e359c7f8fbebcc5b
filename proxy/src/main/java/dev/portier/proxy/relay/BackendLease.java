package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

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

    BackendLease(BackendPool pool, Channel channel, BackendUrl url, boolean reused) {
        this.pool = pool;
        this.channel = channel;
        this.handler = channel.pipeline().get(BackendHandler.class);
        this.url = url;
        this.reused = reused;
    }

    /** Told of a lease once there is one, or of why there is none. */
    interface Acquired {
        void acquired(BackendLease lease, Throwable cause);
    }

    /**
     * Gets a connection to {@code url}: a kept-alive one from the pool at once, else a new one once
     * connected; {@code then} runs on the event loop either way.
     */
    static void acquire(BackendPool pool, BackendUrl url, Acquired then) {
        Channel pooled = pool.acquire(url);
        if (pooled != null) {
            then.acquired(new BackendLease(pool, pooled, url, true), null);
            return;
        }
        pool.connect(url).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                then.acquired(new BackendLease(pool, f.channel(), url, false), null);
            } else if (!f.channel().isRegistered()) {
                // the channel never reached the loop (no socket: out of file descriptors): nothing to
                // close, and its future completes on Netty's global executor, not on our loop
                NoBackendSocket failure = new NoBackendSocket(f.cause());
                pool.loop().execute(() -> {
                    pool.unopened(failure);
                    then.acquired(null, failure);
                });
            } else {
                pool.discard(f.channel());
                then.acquired(null, f.cause());
            }
        });
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
