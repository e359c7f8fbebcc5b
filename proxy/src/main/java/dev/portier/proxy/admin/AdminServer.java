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
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's listener, apart from the public port: {@code /} (a status page), {@code /healthz},
 * {@code /metrics} (Prometheus text), {@code /routes} (the routing table as JSON) and
 * {@code /stats} (per-frontend figures of the last minute as JSON), {@code /backends} (per-backend
 * figures over a window, for comparing a canary with the live version). One thread of its own, so a
 * slow scrape never delays proxying; a connection cap and an idle timeout, so that idle local
 * connections cannot use up the file descriptors the public port needs.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * How many admin connections may be open at once, how long one may stay idle, and how old the
     * last Redis reply may be before /healthz calls Redis "degraded".
     */
    public record Limits(int maxConnections, Duration idleTimeout, Duration redisStaleAfter) {

        /** 256 connections (a scraper and a few operators need far fewer), 60 s idle, 5 s. */
    }

    private static final int SAMPLE_EVERY_SECONDS = 5;

    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong();

    /** @param listening whether the public listeners are bound (healthz is 503 otherwise) */
    public AdminServer(InetSocketAddress address, RouteSource routes, ProxyMetrics metrics, BooleanSupplier listening,
                       Limits limits) {
        byte[] page = StatusPage.load();
        Transport transport = Transport.best();
        group = transport.newGroup(1, "portier-admin");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > limits.maxConnections()) {
                            open.decrementAndGet();
                            refused(limits.maxConnections());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                                new CloseWhenIdle(),
                                new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new Endpoints(routes, metrics, listening, limits.redisStaleAfter(), page));
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
        // the admin thread, not a proxying event loop: a sample copies a few counters per frontend
        group.scheduleAtFixedRate(metrics.recent()::sample, 0, SAMPLE_EVERY_SECONDS, TimeUnit.SECONDS);
        group.scheduleAtFixedRate(() -> metrics.backends().sample(BackendsView.routedCheck(routes)), 1, 1,
                TimeUnit.SECONDS);
        LOG.info("admin listener on {} (/, /healthz, /metrics, /routes, /stats, /backends)", channel.localAddress());
    }

    private void refused(int max) {
        long now = System.currentTimeMillis();
        long last = lastRefusalLog.get();
        if (now - last > 10_000 && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("admin listener: {} connections open, closing new ones", max);
        }
    }

    /** Admin connections open now. */
    public int openConnections() {
        return open.get();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Closes a connection that neither read nor wrote for the idle timeout. */
    private static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }

    /** Answers the six paths. */
    private static final class Endpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final RouteSource routes;
        private final ProxyMetrics metrics;
        private final BooleanSupplier listening;
        private final long redisStaleAfterMillis;
        private final byte[] page;

        Endpoints(RouteSource routes, ProxyMetrics metrics, BooleanSupplier listening, Duration redisStaleAfter,
                  byte[] page) {
            this.page = page;
            this.routes = routes;
            this.metrics = metrics;
            this.listening = listening;
            this.redisStaleAfterMillis = redisStaleAfter.toMillis();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            QueryStringDecoder query = new QueryStringDecoder(req.uri());
            String path = query.path();
            FullHttpResponse r;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain");
            } else {
                r = switch (path) {
                    case "/" -> bytes(HttpResponseStatus.OK, page, "text/html; charset=utf-8");
                    case "/stats" -> text(HttpResponseStatus.OK, JSON.writeValueAsString(metrics.recent().window()) + "\n",
                            "application/json");
                    case "/healthz" -> health();
                    case "/metrics" -> text(HttpResponseStatus.OK, metrics.scrape(),
                            "text/plain; version=0.0.4; charset=utf-8");
                    case "/routes" -> text(HttpResponseStatus.OK, JSON.writeValueAsString(routes.snapshot()) + "\n",
                            "application/json");
                    case "/backends" -> backends(query);
                    default -> text(HttpResponseStatus.NOT_FOUND, "try /, /healthz, /metrics, /routes, /stats or /backends\n",
                            "text/plain");
                };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** Per-backend figures over {@code ?window=SECONDS} (default 60, at most the retention). */
        private FullHttpResponse backends(QueryStringDecoder query) throws Exception {
            int window;
            try {
                window = BackendsView.window(query.parameters().get("window"));
            } catch (IllegalArgumentException e) {
                return text(HttpResponseStatus.BAD_REQUEST,
                        JSON.writeValueAsString(Map.of("error", e.getMessage())) + "\n", "application/json");
            }
            return text(HttpResponseStatus.OK, JSON.writeValueAsString(BackendsView.of(routes, metrics, window)) + "\n",
                    "application/json");
        }

        private FullHttpResponse health() throws Exception {
            boolean redis = routes.redisConnected();
            long replyAge = routes.redisReplyAgeMillis();
            long last = routes.lastUpdateMillis();
            // Redis down and nothing ever read: every request would get a 503, so this proxy is not healthy
            boolean hasTable = redis || last != 0;
            boolean listens = listening.getAsBoolean();
            boolean up = listens && hasTable;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "ok" : !listens ? "not listening" : "no routing table");
            // connected is not enough: a frozen Redis (SIGSTOP, a stuck fork) keeps the connection open
            body.put("redis", !redis ? "down" : replyAge >= 0 && replyAge <= redisStaleAfterMillis ? "up" : "degraded");
            body.put("redisReplyAgeMs", replyAge < 0 ? null : replyAge);
            body.put("frontends", routes.frontendCount());
            body.put("routesAgeSeconds", last == 0 ? null : (System.currentTimeMillis() - last) / 1000);
            return text(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    JSON.writeValueAsString(body) + "\n", "application/json");
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            return bytes(status, body.getBytes(StandardCharsets.UTF_8), type);
        }

        private static FullHttpResponse bytes(HttpResponseStatus status, byte[] bytes, String type) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            return r;
        }
    }
}
