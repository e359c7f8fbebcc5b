package dev.portier.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Connections stay on the loop that accepted them until that loop is clearly busier than another. */
class ConnectionBalanceTest {

    private final ConnectionBalance balance = new ConnectionBalance();

    @Test
    void connectionsAcceptedByOneLoopAreSpreadOverBoth() throws Exception {
        // every connection is accepted by the first loop: without the balance all 20 would stay there
        Transport nio = Transport.named("nio");
        EventLoopGroup group = nio.newGroup(2, "balance-test", balance);
        List<Socket> clients = new ArrayList<>();
        try {
            EventLoop acceptor = (EventLoop) group.iterator().next();
            Channel server = new ServerBootstrap().group(acceptor, group).channel(nio.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ConnectionLimiter(1000, balance));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            for (int i = 1; i <= 20; i++) {
                clients.add(new Socket("127.0.0.1", port));
                int opened = i;
                // one at a time: each choice sees the counts of the connections before it
                await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.stream(balance.openPerLoop()).sum() == opened);
            }
            int[] open = balance.openPerLoop();
            assertTrue(Math.abs(open[0] - open[1]) <= ConnectionBalance.slack(Math.min(open[0], open[1])) + 1,
                    "20 connections accepted by one loop end up spread: " + Arrays.toString(open));

            for (Socket c : clients) {
                c.close();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertArrayEquals(new int[] {0, 0}, balance.openPerLoop(), "closed connections leave the count"));
            server.close().syncUninterruptibly();
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aBurstAcceptedByOneLoopIsSplitWithoutOvershoot() throws Exception {
        // all at once: a connection moved to the second loop must count there before it arrives, or
        // the ones accepted meanwhile follow it and the second loop ends up the busier one
        Transport nio = Transport.named("nio");
        EventLoopGroup group = nio.newGroup(2, "balance-burst", balance);
        List<Socket> clients = new ArrayList<>();
        try {
            EventLoop acceptor = (EventLoop) group.iterator().next();
            Channel server = new ServerBootstrap().group(acceptor, group).channel(nio.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ConnectionLimiter(1000, balance));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            // held up so that the whole burst waits in the backlog and is accepted in one go
            acceptor.submit(() -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until && clients.size() < 40) {
                    Thread.onSpinWait();
                }
            });
            for (int i = 0; i < 40; i++) {
                clients.add(new Socket("127.0.0.1", port));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.stream(balance.openPerLoop()).sum() == 40);
            int[] open = balance.openPerLoop();
            assertTrue(Math.abs(open[0] - open[1]) <= ConnectionBalance.slack(Math.min(open[0], open[1])) + 1,
                    "40 connections accepted by one loop in one burst: " + Arrays.toString(open));
            assertTrue(balance.moves() <= 20, "moves: " + balance.moves());
            server.close().syncUninterruptibly();
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void connectionsAcceptedSoonAfterACloseStayWhereTheyWereAccepted() throws Exception {
        ConnectionBalance churn = new ConnectionBalance(Duration.ofSeconds(30));
        Transport nio = Transport.named("nio");
        EventLoopGroup group = nio.newGroup(2, "balance-churn", churn);
        List<Socket> clients = new ArrayList<>();
        try {
            EventLoop acceptor = (EventLoop) group.iterator().next();
            Channel server = new ServerBootstrap().group(acceptor, group).channel(nio.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ConnectionLimiter(1000, churn));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            // a close opens the window: every connection after it stays on the loop that accepted it
            Socket first = new Socket("127.0.0.1", port);
            await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.stream(churn.openPerLoop()).sum() == 1);
            first.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.stream(churn.openPerLoop()).sum() == 0);
            for (int i = 1; i <= 10; i++) {
                clients.add(new Socket("127.0.0.1", port));
                int opened = i;
                await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.stream(churn.openPerLoop()).sum() == opened);
            }
            assertArrayEquals(new int[] {10, 0}, churn.openPerLoop(), "accepted within the window after a close");
            assertEquals(0, churn.moves());
            server.close().syncUninterruptibly();
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void slackGrowsWithTheCounts() {
        assertEquals(1, ConnectionBalance.slack(0));
        assertEquals(1, ConnectionBalance.slack(15));
        assertEquals(3, ConnectionBalance.slack(32));
    }
}
