package dev.portier.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.RouteSource;
import dev.portier.proxy.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's listener, apart from the public port: {@code /healthz}, {@code /metrics}
 * (Prometheus text) and {@code /routes} (the routing table as JSON). One thread of its own, so a
 * slow scrape never delays proxying.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EventLoopGroup group;
    private final Channel channel;

    /**
     * @param listening whether the public listeners are bound (healthz is 503 otherwise)
     */
    public AdminServer(InetSocketAddress address, RouteSource routes, ProxyMetrics metrics, BooleanSupplier listening) {
        Transport transport = Transport.best();
        group = transport.newGroup(1, "portier-admin");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new Endpoints(routes, metrics, listening));
                    }
                });
        if (transport.isEpoll()) {
            // the new process of an upgrade binds the admin port while the old one drains, as on the public port
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        try {
            channel = b.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("admin listener on {} (/healthz, /metrics, /routes)", channel.localAddress());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Answers the three paths. */
    private static final class Endpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final RouteSource routes;
        private final ProxyMetrics metrics;
        private final BooleanSupplier listening;

        Endpoints(RouteSource routes, ProxyMetrics metrics, BooleanSupplier listening) {
            this.routes = routes;
            this.metrics = metrics;
            this.listening = listening;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            String path = req.uri().split("\\?", 2)[0];
            FullHttpResponse r;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain");
            } else {
                r = switch (path) {
                    case "/healthz" -> health();
                    case "/metrics" -> text(HttpResponseStatus.OK, metrics.scrape(),
                            "text/plain; version=0.0.4; charset=utf-8");
                    case "/routes" -> text(HttpResponseStatus.OK, JSON.writeValueAsString(routes.snapshot()) + "\n",
                            "application/json");
                    default -> text(HttpResponseStatus.NOT_FOUND, "try /healthz, /metrics or /routes\n", "text/plain");
                };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse health() throws Exception {
            boolean redis = routes.redisConnected();
            long last = routes.lastUpdateMillis();
            // Redis down and nothing ever read: every request would get a 503, so this proxy is not healthy
            boolean hasTable = redis || last != 0;
            boolean listens = listening.getAsBoolean();
            boolean up = listens && hasTable;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "ok" : !listens ? "not listening" : "no routing table");
            body.put("redis", redis ? "up" : "down");
            body.put("frontends", routes.frontendCount());
            body.put("routesAgeSeconds", last == 0 ? null : (System.currentTimeMillis() - last) / 1000);
            return text(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    JSON.writeValueAsString(body) + "\n", "application/json");
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            return r;
        }
    }
}
