package dev.portier.proxy.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * One direction of an upgraded (WebSocket or other) connection: bytes read here are written to
 * the peer, and the next read waits until that write is done, so a slow side slows the other
 * instead of filling memory. Either side closing closes both.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    Tunnel(Channel peer) {
        this.peer = peer;
    }

    /**
     * Turns a client connection whose request got a 101 and the backend connection that sent it
     * into the two directions of a tunnel: the HTTP handlers leave both pipelines (bytes their
     * parsers still hold go on to the tunnel) and both sides share one idle timeout.
     */
    static void open(Channel client, ChannelHandler relay, Channel backend, long idleMs) {
        ChannelPipeline bp = backend.pipeline();
        bp.remove(BackendHandler.class);
        bp.remove("idle");
        bp.addLast("tunnel", new Tunnel(client));
        bp.remove("codec");

        ChannelPipeline cp = client.pipeline();
        cp.remove(relay);
        cp.addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
        cp.addLast("tunnel", new Tunnel(backend));
        cp.remove("codec");
        client.read();
        backend.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                f.channel().close();
                ctx.channel().close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        closeOnFlush(peer);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            peer.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // client connections allow half-closure (for HTTP), so a client's FIN arrives here and not
            // as channelInactive; without this the tunnel and its backend stayed open until the idle timeout
            closeOnFlush(peer);
            closeOnFlush(ctx.channel());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
