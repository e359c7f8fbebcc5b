package dev.portier.proxy.server;

import dev.portier.proxy.relay.RelayContext;
import dev.portier.proxy.relay.RequestRelay;
import dev.portier.proxy.wire.RequestDecoder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The pipeline of an accepted client connection: loop count, limit, idle timeout, request parser, relay. */
public final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final RelayContext relay;
    private final ConnectionLimiter limiter;
    private final ChannelHandler balance;
    private final ChannelGroup clients;
    private final Mapping<String, SslContext> tls;

    /**
     * @param balance the counter of {@link ConnectionBalance}
     * @param tls SNI name → TLS context for an HTTPS listener, null for plain HTTP
     */
    public ClientChannelInitializer(RelayContext relay, ConnectionLimiter limiter, ChannelHandler balance,
                                    ChannelGroup clients, Mapping<String, SslContext> tls) {
        this.relay = relay;
        this.limiter = limiter;
        this.balance = balance;
        this.clients = clients;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        long idleMs = relay.settings().timeouts().clientIdle().toMillis();
        ch.pipeline().addLast("balance", balance).addLast("limit", limiter);
        if (tls != null) {
            ch.pipeline().addLast("tls", new SniHandler(tls));
        }
        ch.pipeline()
                // reader-idle only: the relay acts on it only between requests, and a writer or all-idle
                // timer would put a listener on every write
                .addLast("idle", new IdleStateHandler(idleMs, 0, 0, TimeUnit.MILLISECONDS))
                // requests are parsed here; responses go out as bytes the relay writes itself (HeadWriter)
                .addLast("codec", new RequestDecoder(relay.settings().listeners().maxHeaderSize(),
                        relay.settings().timeouts().header().toMillis()))
                .addLast("relay", new RequestRelay(relay));
    }
}
