package dev.portier.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a listening address once per event loop, each socket with SO_REUSEPORT, so that the kernel
 * spreads new connections over the loops and each loop accepts, reads and answers its own: no
 * hand-over of the accepted channel to another thread (a queued task and a wake-up per connection),
 * unless the group's chooser ({@link ConnectionBalance}) moves it to even out the loops.
 * Where SO_REUSEPORT is not available (NIO), one socket serves every loop, as Netty does by default.
 */
public final class ListenSockets {

    private ListenSockets() {
    }

    /**
     * Binds {@code address}; the first channel returned holds the port that was asked for (or
     * chosen, for port 0) and the others share it.
     *
     * @param template a bootstrap with everything but its groups set
     * @param reusePort the transport's SO_REUSEPORT option, or null for one socket on the whole group
     */
    public static List<Channel> bind(ServerBootstrap template, EventLoopGroup group, ChannelOption<Boolean> reusePort,
                                     InetSocketAddress address) {
        List<Channel> bound = new ArrayList<>();
        if (reusePort == null) {
            bound.add(template.clone().group(group).bind(address).syncUninterruptibly().channel());
            return bound;
        }
        InetSocketAddress at = address;
        try {
            for (EventExecutor executor : group) {
                EventLoop loop = (EventLoop) executor;
                // accepted on this loop; the group's chooser decides where each connection is served
                Channel ch = template.clone().group(loop, group).option(reusePort, true)
                        .bind(at).syncUninterruptibly().channel();
                bound.add(ch);
                at = (InetSocketAddress) ch.localAddress();
            }
        } catch (RuntimeException e) {
            bound.forEach(Channel::close);
            throw e;
        }
        return bound;
    }
}
