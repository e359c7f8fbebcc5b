package dev.portier.proxy.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import io.netty.util.concurrent.ThreadPerTaskExecutor;

/**
 * The socket I/O of the event loops: io_uring or epoll on Linux when their libraries load, NIO everywhere.
 *
 * @param reusePort the transport's SO_REUSEPORT option, null where it has none
 * @param deferAccept the transport's TCP_DEFER_ACCEPT option, null where it has none
 * @param cork the transport's TCP_CORK option, null where it has none
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel, ChannelOption<Boolean> reusePort,
                        ChannelOption<Integer> deferAccept, ChannelOption<Boolean> cork) {

    /** The names {@code server.transport} takes. */
    public static final String CHOICES = "auto|io_uring|epoll|nio";

    /**
     * What {@code auto} picks, best first. io_uring submits a connection's accept, reads, writes and
     * close in one system call per loop turn, where epoll makes one or more each; measured against
     * epoll in one run it costs less CPU per request for new connections and small answers (see
     * bench/README.md). Where the kernel or a seccomp profile (Docker's default since 25.0) refuses
     * io_uring, epoll serves.
     */
    private static final String[] AUTO_ORDER = {"io_uring", "epoll", "nio"};

    /**
     * The transport named by {@code server.transport}: {@code auto} is the first of {@link #AUTO_ORDER}
     * that this machine can run; a named one that cannot run here fails with the reason.
     */
    public static Transport named(String name) {
        if (name.equals("auto")) {
            for (String candidate : AUTO_ORDER) {
                if (unavailability(candidate) == null) {
                    return create(candidate);
                }
            }
        }
        Throwable cause = unavailability(name);
        if (cause != null) {
            throw new IllegalStateException("the " + name + " transport cannot run here: " + cause.getMessage(), cause);
        }
        return create(name);
    }

    /** The transport {@code auto} picks. */
    public static Transport best() {
        return named("auto");
    }

    private static Throwable unavailability(String name) {
        return switch (name) {
            case "epoll" -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
            case "io_uring" -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
            case "nio" -> null;
            default -> new IllegalArgumentException("unknown transport " + name + " (" + CHOICES + ")");
        };
    }

    private static Transport create(String name) {
        return switch (name) {
            case "epoll" -> new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class, EpollChannelOption.SO_REUSEPORT,
                    EpollChannelOption.TCP_DEFER_ACCEPT, EpollChannelOption.TCP_CORK);
            case "io_uring" -> new Transport("io_uring", IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class,
                    IoUringChannelOption.SO_REUSEPORT, IoUringChannelOption.TCP_DEFER_ACCEPT,
                    IoUringChannelOption.TCP_CORK);
            default -> new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                    NioSocketChannel.class, NioDatagramChannel.class, null, null, null);
        };
    }

    /**
     * Keeps Lettuce's own event loops on epoll: with io_uring's library on the class path it warns
     * at every start that it chose between the two, and its few Redis connections gain nothing.
     * Call before the first Lettuce client is made.
     */
    public static void keepLettuceOnEpoll() {
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
    }

    /**
     * The buffer allocator of client and backend connections: Netty's pooled allocator with its
     * per-thread caches. Every buffer is allocated and released on one event loop, which is the case
     * those caches serve best; the adaptive allocator (4.2's default) measured slower here.
     */
    public static ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory);
    }

    /** A group whose {@code next()}, and so the loop of each accepted connection, {@code chooser} picks. */
    public EventLoopGroup newGroup(int threads, String name, EventExecutorChooserFactory chooser) {
        return new MultiThreadIoEventLoopGroup(threads, new ThreadPerTaskExecutor(new DefaultThreadFactory(name, true)),
                chooser, ioHandlerFactory);
    }
}
