package dev.portier.proxy.server;

import dev.portier.proxy.relay.RelayContext;
import dev.portier.proxy.relay.RequestRelay;
import dev.portier.proxy.wire.RequestDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts together the pipeline of an accepted client connection (count and limit, TLS, request parser,
 * relay) and leaves it.
 *
 * <p>Not a {@code ChannelInitializer}: that one keeps a concurrent set of the contexts it is
 * initialising, an insert and a removal with an identity hash code for every connection, to guard
 * against being called twice; the server bootstrap adds this handler once, before registration, so
 * Netty calls {@link #handlerAdded} once, after it.
 */
@ChannelHandler.Sharable
public final class ClientPipeline extends ChannelHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ClientPipeline.class);

    private final RelayContext relay;
    private final ConnectionLimiter limiter;
    private final Mapping<String, SslContext> tls;

    /** @param tls SNI name → TLS context for an HTTPS listener, null for plain HTTP */
    public ClientPipeline(RelayContext relay, ConnectionLimiter limiter, Mapping<String, SslContext> tls) {
        this.relay = relay;
        this.limiter = limiter;
        this.tls = tls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        ChannelPipeline p = ctx.pipeline();
        try {
            p.addLast("limit", limiter);
            if (tls != null) {
                p.addLast("tls", new SniHandler(tls));
            }
            // requests are parsed here; responses go out as bytes the relay writes itself (HeadWriter).
            // The client idle timeout is the relay's too (IdleClients): no timer per connection
            p.addLast("codec", new RequestDecoder(relay.settings().listeners().maxHeaderSize(),
                    relay.settings().timeouts().header().toMillis()));
            p.addLast("relay", new RequestRelay(relay));
        } catch (RuntimeException e) {
            LOG.warn("could not set up client connection {}: {}", ch, e.toString());
            ch.close();
        } finally {
            if (!ctx.isRemoved()) {
                p.remove(this);
            }
        }
    }

    /** Answered here, not from Netty's per-thread cache of the annotation: asked for every connection. */
    @Override
    public boolean isSharable() {
        return true;
    }
}
