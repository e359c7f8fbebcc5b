package dev.portier.proxy.relay;

import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.transport.Transport;
import dev.portier.proxy.wire.ResponseDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One {@link BackendPool} per event loop, created on first use by that loop. */
public final class BackendPools implements AutoCloseable {

    private final ProxySettings settings;
    private final Transport transport;
    private final DnsAddressResolverGroup resolver;
    private final Map<EventLoop, BackendPool> pools = new ConcurrentHashMap<>();

    public BackendPools(ProxySettings settings, Transport transport) {
        this.settings = settings;
        this.transport = transport;
        // backend hosts given by name (docker links, /etc/hosts) are resolved without blocking a loop
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel()));
    }

    BackendPool forLoop(EventLoop loop) {
        return pools.computeIfAbsent(loop, this::newPool);
    }

    private BackendPool newPool(EventLoop loop) {
        long timeoutMs = settings.timeouts().backend().toMillis();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.timeouts().connect().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOCATOR, Transport.allocator())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // the backend timeout counts silence from the backend; the relay restarts it
                        // whenever it sends, so a long upload is not taken for a silent backend
                        IdleStateHandler idle = new IdleStateHandler(timeoutMs, 0, 0, TimeUnit.MILLISECONDS);
                        // requests go out as bytes the relay writes itself (HeadWriter): no encoder
                        ResponseDecoder decoder = new ResponseDecoder(settings.listeners().maxHeaderSize());
                        ch.pipeline()
                                .addLast("idle", idle)
                                .addLast("codec", decoder)
                                .addLast("backend", new BackendHandler(idle, decoder));
                    }
                });
        return new BackendPool(b, settings.pool().idlePerBackend());
    }

    /** Asks every loop to close idle connections to backends that left the routing table. */
    public void retainOnly(Set<String> routedAuthorities) {
        pools.forEach((loop, pool) -> loop.execute(() -> pool.retainOnly(routedAuthorities)));
    }

    /** Idle pooled connections, summed over loops (read racily: a gauge, not an invariant). */
    public int idleConnections() {
        return pools.values().stream().mapToInt(BackendPool::idleCount).sum();
    }

    /** Backend connections serving an exchange, summed over loops (read racily). */
    public int activeConnections() {
        return pools.values().stream().mapToInt(BackendPool::activeCount).sum();
    }

    @Override
    public void close() {
        resolver.close();
    }
}
