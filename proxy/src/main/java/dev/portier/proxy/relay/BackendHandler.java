package dev.portier.proxy.relay;

import dev.portier.proxy.wire.ResponseDecoder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits at the end of a backend connection's pipeline and hands everything to the exchange
 * currently holding it; while the connection idles in the pool there is no owner and anything the
 * backend sends (it should send nothing) closes it.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final IdleStateHandler timeout;
    private final ResponseDecoder decoder;
    private BackendEvents owner;

    BackendHandler(IdleStateHandler timeout, ResponseDecoder decoder) {
        this.timeout = timeout;
        this.decoder = decoder;
    }

    ResponseDecoder decoder() {
        return decoder;
    }

    /** Takes the connection for an exchange; its silence timer starts now, not at its last use. */
    void bind(BackendEvents events) {
        owner = events;
        timeout.resetReadTimeout();
    }

    /** Restarts the silence timer: the backend made progress, or cannot answer before it has what was sent. */
    void progress() {
        timeout.resetReadTimeout();
    }

    void unbind() {
        owner = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BackendEvents o = owner;
        if (o != null) {
            o.onBackendRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendEvents o = owner;
        if (o != null) {
            o.onBackendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendEvents o = owner;
        if (o != null && ctx.channel().isWritable()) {
            timeout.resetReadTimeout();
            o.onBackendWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, RetryPolicy.Failure.CLOSED, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, RetryPolicy.Failure.ERROR, cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            BackendEvents o = owner;
            if (o != null && !o.waitingOnBackend()) {
                // our own back-pressure or a slow client, not the backend: the timer runs on
                return;
            }
            fail(ctx, RetryPolicy.Failure.TIMEOUT, null);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void fail(ChannelHandlerContext ctx, RetryPolicy.Failure failure, Throwable cause) {
        BackendEvents o = owner;
        owner = null;
        ctx.close();
        if (o != null) {
            o.onBackendFailure(failure, cause);
        }
    }
}
