package dev.portier.proxy.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.portier.proxy.wire.ResponseDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits at the end of a backend connection's pipeline and hands everything to the client
 * connection currently using it; while the connection idles in the pool there is no owner and
 * anything the backend sends (it should send nothing) closes it.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final IdleStateHandler timeout;
    private final ResponseDecoder decoder;
    private RequestRelay owner;

    BackendHandler(IdleStateHandler timeout, ResponseDecoder decoder) {
        this.timeout = timeout;
        this.decoder = decoder;
    }

    /** The connection's response parser, which must be told what each response answers. */
    ResponseDecoder decoder() {
        return decoder;
    }

    /** Takes the connection for an exchange; its silence timer starts now, not at its last use. */
    void bind(RequestRelay relay) {
        owner = relay;
        timeout.resetReadTimeout();
    }

    /** Restarts the silence timer: the backend cannot answer before it has the request. */
    void sent() {
        timeout.resetReadTimeout();
    }

    void unbind() {
        owner = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RequestRelay o = owner;
        if (o != null) {
            o.onBackendRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        RequestRelay o = owner;
        if (o != null) {
            o.onBackendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        RequestRelay o = owner;
        if (o != null && ctx.channel().isWritable()) {
            o.onBackendWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        RequestRelay o = owner;
        owner = null;
        if (o != null) {
            o.onBackendFailure(BackendFailure.CLOSED, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        RequestRelay o = owner;
        owner = null;
        ctx.close();
        if (o != null) {
            o.onBackendFailure(BackendFailure.ERROR, cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            RequestRelay o = owner;
            owner = null;
            ctx.close();
            if (o != null) {
                o.onBackendFailure(BackendFailure.TIMEOUT, null);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Why a backend connection stopped serving an exchange. */
    enum BackendFailure { CLOSED, ERROR, TIMEOUT }
}
