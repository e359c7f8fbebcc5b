package dev.portier.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portier.proxy.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One listening socket per event loop: each loop accepts its own connections, none is handed over. */
class ListenSocketsTest {

    /** Accepted channels by the loop they were registered on, and those registered on a loop other than their listener's. */
    private final Map<EventLoop, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger handedOver = new AtomicInteger();

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void eachLoopAcceptsAndServesItsOwnConnections(String name) throws Exception {
        Transport transport = Transport.named(name);
        EventLoopGroup group = transport.newGroup(2, "listen-test", new ConnectionBalance());
        List<Socket> clients = new ArrayList<>();
        try {
            ServerBootstrap template = new ServerBootstrap().channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.computeIfAbsent(ch.eventLoop(), l -> new AtomicInteger()).incrementAndGet();
                            if (ch.eventLoop() != ch.parent().eventLoop()) {
                                handedOver.incrementAndGet();
                            }
                        }
                    });
            List<Channel> bound = ListenSockets.bind(template, group, transport.reusePort(),
                    new InetSocketAddress("127.0.0.1", 0));
            assertEquals(2, bound.size(), "one socket per loop");
            int port = ((InetSocketAddress) bound.get(0).localAddress()).getPort();
            assertEquals(port, ((InetSocketAddress) bound.get(1).localAddress()).getPort(), "on the same port");
            for (int i = 0; i < 64; i++) {
                clients.add(new Socket("127.0.0.1", port));
            }
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> accepted.values().stream().mapToInt(AtomicInteger::get).sum() == 64);
            assertEquals(0, handedOver.get(), "no connection registered on a loop other than its listener's");
            assertEquals(2, accepted.size(), "the kernel spread 64 connections over both loops: " + accepted);
            bound.forEach(ch -> ch.close().syncUninterruptibly());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void withoutReusePortOneSocketServesTheGroup() {
        Transport nio = Transport.named("nio");
        EventLoopGroup group = nio.newGroup(2, "listen-test");
        try {
            ServerBootstrap template = new ServerBootstrap().channel(nio.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    });
            List<Channel> bound = ListenSockets.bind(template, group, nio.reusePort(),
                    new InetSocketAddress("127.0.0.1", 0));
            assertEquals(1, bound.size());
            assertNull(nio.reusePort());
            bound.get(0).close().syncUninterruptibly();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
