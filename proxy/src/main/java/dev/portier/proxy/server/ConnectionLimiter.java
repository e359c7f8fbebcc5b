package dev.portier.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts open client connections, in all and on each loop ({@link ConnectionBalance}), keeps the
 * admitted ones for a drain or a stop ({@link OpenClients}), and turns away those past the limit
 * with a short 503. One handler for all three: each handler in a client pipeline costs something
 * for every new connection.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final ByteBuf REFUSAL = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 20\r\n"
                    + "connection: close\r\nretry-after: 1\r\n\r\ntoo many connections", StandardCharsets.US_ASCII));
    /** How long a refused client may go on sending before its connection is closed anyway. */
    static final long LINGER_MILLIS = 2000;

    private final int max;
    private final ConnectionBalance balance;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusedSinceLog = new AtomicInteger();
    private final OpenClients clients = new OpenClients();

    public ConnectionLimiter(int max, ConnectionBalance balance) {
        this.max = max;
        this.balance = balance;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            if (refusedSinceLog.getAndIncrement() == 0) {
                LOG.warn("connection limit {} reached: refusing new connections", max);
            }
            balance.refused(ctx.channel().eventLoop());
            refuse(ctx);
            return;
        }
        if (refusedSinceLog.get() != 0) {
            // read first: a write at every connection would pass this line between the loops' cores
            refusedSinceLog.set(0);
        }
        balance.opened(ctx.channel().eventLoop());
        clients.add(ctx.channel());
        ctx.fireChannelActive();
    }

    /** Only admitted connections get here: a refused one has its handler replaced. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        balance.closed(ctx.channel().eventLoop());
        clients.remove(ctx.channel());
        ctx.fireChannelInactive();
    }

    /** Answered here, not from Netty's per-thread cache of the annotation: asked for every connection. */
    @Override
    public boolean isSharable() {
        return true;
    }

    public int open() {
        return open.get();
    }

    /** The admitted connections open now (see {@link OpenClients#snapshot}). */
    public List<Channel> openChannels(long timeoutMillis) {
        return clients.snapshot(timeoutMillis);
    }

    /** The connection will never carry a request: everything after the limiter leaves, a lingering refusal stays. */
    private void refuse(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        for (String name : List.copyOf(p.toMap().keySet())) {
            if (!name.equals(ctx.name())) {
                p.remove(name);
            }
        }
        p.replace(this, "refused", new LingeringRefusal());
    }

    /**
     * Writes the 503, half-closes, and reads and drops what the client still sends until it closes
     * or {@link #LINGER_MILLIS} pass (nginx's lingering close). The client has usually sent its
     * request already: closing with those bytes unread makes the kernel answer with a reset, and a
     * client still sending sees that reset instead of the 503.
     */
    private static final class LingeringRefusal extends ChannelInboundHandlerAdapter {

        private ScheduledFuture<?> deadline;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            ctx.writeAndFlush(REFUSAL.duplicate()).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    ctx.close();
                } else if (f.channel() instanceof DuplexChannel d) {
                    // the 503 is whole: the client sees the end of it at once, not after the linger
                    d.shutdownOutput();
                } else {
                    ctx.close();
                }
            });
            ctx.channel().config().setAutoRead(true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ReferenceCountUtil.release(evt);
            if (evt instanceof ChannelInputShutdownEvent) {
                // the client has closed its side: nothing is left unread, close without a reset
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            deadline.cancel(false);
        }
    }
}
