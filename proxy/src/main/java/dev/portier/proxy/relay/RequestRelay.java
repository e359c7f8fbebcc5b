package dev.portier.proxy.relay;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.proxy.accesslog.AccessLog;
import dev.portier.proxy.relay.BackendHandler.BackendFailure;
import dev.portier.proxy.routing.HostMatcher;
import dev.portier.proxy.routing.Lookup;
import dev.portier.proxy.server.Drain;
import dev.portier.proxy.wire.BadMessage;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.HeadWriter;
import dev.portier.proxy.wire.HeadWriter.ConnectionHeader;
import dev.portier.proxy.wire.HeaderFields;
import dev.portier.proxy.wire.RequestHead;
import dev.portier.proxy.wire.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one client connection: each request is routed by its Host, sent to a backend over
 * a pooled connection of the same event loop, and the response streamed back. The client is read
 * one message at a time (auto-read is off, a FlowControlHandler sits in front), only when the
 * backend can take more, and the backend only when the client can; so memory per connection stays
 * bounded whatever the body sizes. Pipelined requests wait their turn in the flow-control queue.
 */
public final class RequestRelay extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestRelay.class);

    private static final String PING_HOST = "__ping__";
    /** Body parts up to this size are copied into the buffer of the response head they follow. */
    private static final int MERGE_LIMIT = 4096;

    private enum State { IDLE, ROUTING, CONNECTING, PROXYING, DRAINING, CLOSED }

    private final RelayContext rc;
    private ChannelHandlerContext ctx;
    private BackendPool pool;
    private State state = State.IDLE;

    // one exchange; reset by startExchange()
    private RequestHead request;
    /** A request (or a refusal of one) that came while this one was in flight. */
    private Object pipelined;
    private boolean keepAlive;
    private boolean hasBody;
    private boolean upgrade;
    private boolean debug;
    private boolean headRequest;
    private boolean clientHttp10;
    private BodyPart heldContent;
    private String host;
    private Lookup lookup;
    private int position;
    private final BitSet tried = new BitSet();
    private int retries;
    private boolean requestComplete;
    private boolean bodySent;
    private Channel backend;
    private BackendHandler backendHandler;
    private BackendUrl backendUrl;
    private boolean backendReused;
    private boolean responseSeen;
    private boolean responseStarted;
    private boolean interim;
    private boolean switching;
    private boolean backendKeepAlive;
    private boolean closeAfterResponse;
    private boolean chunkBody;
    /** A response head held back to go out in one write with the body that follows it. */
    private ByteBuf pendingHead;
    private boolean backendReadPending;
    private boolean waitingBackendWritable;
    private FullHttpResponse drainThenSend;
    private long startNanos;
    private boolean inputShutdown;
    private String peerIp;
    private int localPort;
    private HeadWriter.Forwarding forwarding;
    private long backendStartNanos;
    private boolean clientReadWanted;
    // what the access log and metrics record of the exchange
    private boolean recorded;
    /** The decoder refused the request: there is no head, but the refusal is logged and counted. */
    private boolean refused;
    private int responseStatus;
    private int backendStatus;
    private long backendNanos;
    private long bytesIn;
    private long bytesOut;

    public RequestRelay(RelayContext rc) {
        this.rc = rc;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.pool = rc.pools().forLoop(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readClient();
        ctx.fireChannelActive();
    }

    /**
     * Asks for the next client message. Netty's FlowControlHandler may answer a read() with a bare
     * channelReadComplete when the socket read cycle ended before a whole message was decoded (e.g.
     * mid-body); {@link #channelReadComplete} then asks again, or the upload would stall until the
     * backend timeout.
     */
    private void readClient() {
        clientReadWanted = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (clientReadWanted && state != State.CLOSED && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        clientReadWanted = false;
        if (msg instanceof RequestHead req) {
            if (state == State.IDLE) {
                onRequest(req);
            } else if (state != State.CLOSED && pipelined == null) {
                pipelined = req;
            }
        } else if (msg instanceof BodyPart content) {
            onClientContent(content);
        } else if (msg instanceof BadMessage bad) {
            if (state == State.IDLE) {
                onBadRequest(bad);
            } else if (!requestComplete && state != State.CLOSED) {
                onBadBody(bad);
            } else if (state != State.CLOSED && pipelined == null) {
                pipelined = bad;
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---- request side ----

    /** The decoder's stand-in for a request it could not parse; it drops whatever follows. */
    private void onBadRequest(BadMessage bad) {
        request = null;
        debug = false;
        headRequest = false;
        upgrade = false;
        hasBody = false;
        clientHttp10 = false;
        startNanos = System.nanoTime();
        resetExchange();
        refused = true;
        keepAlive = false;
        requestComplete = false;
        sendError(HttpResponseStatus.valueOf(bad.status()), "malformed request: " + bad.reason());
    }

    /** The body of the request in flight broke its framing. */
    private void onBadBody(BadMessage bad) {
        keepAlive = false;
        if (responseStarted) {
            closeAll();
        } else {
            sendError(HttpResponseStatus.BAD_REQUEST, "malformed body: " + bad.reason());
        }
    }

    private void onRequest(RequestHead req) {
        startExchange(req);
        if (!hasBody && !upgrade) {
            // keep a read pending while the exchange runs: the socket then stays in the epoll set
            // (two epoll_ctl calls a request otherwise), and a client that resets mid-exchange is
            // seen at once (a FIN is a half-close: the answer is still sent). What it brings is at
            // most one message, kept in pipelined. (Not for an upgrade: the bytes after a 101
            // belong to the tunnel, not to a parser.)
            state = State.ROUTING;
            readClient();
            if (state == State.CLOSED) {
                return;
            }
        } else if (req.body() == RequestHead.Body.CHUNKED && !req.expectsContinue()) {
            // take the first chunk before a backend is chosen: a malformed first chunk size is then
            // refused (400 in onBadBody) before a single byte of the request reaches a backend;
            // the chunk waits in heldContent. (Not with Expect: 100-continue, whose body comes later.)
            state = State.ROUTING;
            readClient();
            if (state == State.CLOSED) {
                return;
            }
        }
        String hostHeader = req.host();
        if (req.hostCount() != 1 || hostHeader.isBlank()) {
            sendError(HttpResponseStatus.BAD_REQUEST, req.hostCount() == 0 ? "no Host header" : "bad Host header");
            return;
        }
        if (PING_HOST.equalsIgnoreCase(hostHeader)) {
            respondLocally(pong());
            return;
        }
        if (req.isConnect()) {
            keepAlive = false;
            sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not proxied");
            return;
        }
        host = HostMatcher.normalise(hostHeader);
        if (host == null || host.isEmpty()) {
            sendError(HttpResponseStatus.BAD_REQUEST, "bad Host header");
            return;
        }
        Lookup cached = rc.routes().cached(host);
        if (cached != null) {
            routed(cached);
            return;
        }
        state = State.ROUTING;
        String wanted = host;
        rc.routes().lookup(wanted).whenComplete((l, err) -> ctx.executor().execute(() -> {
            if (state == State.ROUTING && wanted.equals(host)) {
                routed(err != null || l == null ? Lookup.unavailable(wanted) : l);
            }
        }));
    }

    private void startExchange(RequestHead req) {
        request = req;
        startNanos = System.nanoTime();
        keepAlive = rc.settings().listeners().keepAlive() && req.keepAlive();
        hasBody = req.hasBody();
        upgrade = req.upgrade() != null;
        debug = req.debug();
        headRequest = req.isHead();
        clientHttp10 = req.isHttp10();
        resetExchange();
        // a bodyless request is whole once its head is here
        requestComplete = !hasBody;
    }

    private void resetExchange() {
        refused = false;
        host = null;
        lookup = null;
        position = -1;
        tried.clear();
        retries = 0;
        requestComplete = false;
        bodySent = false;
        backend = null;
        backendHandler = null;
        backendUrl = null;
        backendReused = false;
        responseSeen = false;
        responseStarted = false;
        interim = false;
        switching = false;
        backendKeepAlive = false;
        closeAfterResponse = false;
        chunkBody = false;
        backendReadPending = false;
        waitingBackendWritable = false;
        drainThenSend = null;
        recorded = false;
        responseStatus = 0;
        backendStatus = 0;
        backendNanos = -1;
        bytesIn = 0;
        bytesOut = 0;
    }

    private void onClientContent(BodyPart content) {
        boolean last = content.isLast();
        switch (state) {
            case PROXYING -> {
                if (!hasBody) {
                    content.release();
                    requestComplete |= last;
                    return;
                }
                ByteBuf bytes = content.content();
                if (bytes.isReadable()) {
                    bodySent = true;
                    bytesIn += content.payload();
                    backend.writeAndFlush(bytes, backend.voidPromise());
                } else {
                    bytes.release();
                }
                backendHandler.sent();
                if (last) {
                    requestComplete = true;
                } else if (backend.isWritable()) {
                    readClient();
                } else {
                    waitingBackendWritable = true;
                }
            }
            case DRAINING -> {
                content.release();
                if (last) {
                    requestComplete = true;
                    FullHttpResponse r = drainThenSend;
                    drainThenSend = null;
                    writeLocal(r);
                } else {
                    readClient();
                }
            }
            case ROUTING, CONNECTING -> {
                if (hasBody && heldContent == null) {
                    // a read issued for a backend that failed before the bytes came: keep them for the next one
                    heldContent = content;
                } else {
                    // the empty last part of a bodyless request, read before a backend is attached
                    content.release();
                    requestComplete |= last;
                }
            }
            default -> content.release();
        }
    }

    void onBackendWritable() {
        if (waitingBackendWritable && state == State.PROXYING) {
            waitingBackendWritable = false;
            readClient();
        }
    }

    // ---- routing and connecting ----

    private void routed(Lookup l) {
        lookup = l;
        switch (l.status()) {
            case NOT_FOUND -> sendError(HttpResponseStatus.BAD_REQUEST, "no frontend for " + host);
            case UNAVAILABLE -> sendError(HttpResponseStatus.SERVICE_UNAVAILABLE, "routing table unavailable");
            case FOUND -> {
                if (localPort == 0) {
                    localPort = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
                }
                if (forwarding == null) {
                    forwarding = HeadWriter.Forwarding.of(peerIp(), rc.scheme(), localPort);
                }
                nextBackend();
            }
        }
    }

    private void nextBackend() {
        int pos = rc.routes().choose(lookup, tried);
        if (pos < 0) {
            sendError(HttpResponseStatus.BAD_GATEWAY, tried.isEmpty() ? "no live backend" : "every backend failed");
            return;
        }
        position = pos;
        tried.set(pos);
        backendUrl = lookup.frontend().backend(pos);
        state = State.CONNECTING;
        Channel pooled = pool.acquire(backendUrl);
        if (pooled != null) {
            attach(pooled, true);
            return;
        }
        BackendUrl wanted = backendUrl;
        ChannelFuture f = pool.connect(wanted);
        f.addListener((ChannelFutureListener) cf -> onConnected(cf, wanted));
    }

    private void onConnected(ChannelFuture f, BackendUrl wanted) {
        if (state != State.CONNECTING || wanted != backendUrl) {
            pool.discard(f.channel());
            return;
        }
        if (!f.isSuccess()) {
            pool.discard(f.channel());
            LOG.debug("connect to {} failed: {}", wanted, f.cause().toString());
            markDead();
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot connect to " + wanted + ": " + f.cause().getMessage());
            return;
        }
        attach(f.channel(), false);
    }

    private void attach(Channel ch, boolean reused) {
        backend = ch;
        backendReused = reused;
        backendHandler = ch.pipeline().get(BackendHandler.class);
        backendHandler.bind(this);
        state = State.PROXYING;
        backendStartNanos = System.nanoTime();
        backendHandler.decoder().expect(headRequest, clientHttp10);
        ch.writeAndFlush(HeadWriter.backendRequest(request, ch.alloc(), forwarding), ch.voidPromise());
        ch.read();
        if (hasBody) {
            BodyPart held = heldContent;
            heldContent = null;
            if (held != null) {
                onClientContent(held);
            } else if (ch.isWritable()) {
                readClient();
            } else {
                waitingBackendWritable = true;
            }
        }
    }

    private void retryOrFail(HttpResponseStatus status, String reason) {
        boolean replayable = !bodySent && !switching;
        if (replayable && retries < rc.settings().backends().retryOnError() && ctx.channel().isActive()) {
            retries++;
            rc.metrics().retry();
            state = State.CONNECTING;
            nextBackend();
        } else {
            sendError(status, reason);
        }
    }

    // ---- response side ----

    void onBackendRead(Object msg) {
        if (state != State.PROXYING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseSeen = true;
        if (msg instanceof BodyPart c) {
            onResponseContent(c);
        } else if (msg instanceof ResponseHead resp) {
            int code = resp.status();
            if (code == 101) {
                if (!upgrade) {
                    failBackend(HttpResponseStatus.BAD_GATEWAY, "backend " + backendUrl + " switched protocols unasked");
                    return;
                }
                switching = true;
                responseStarted = true;
                backendStatus = code;
                backendNanos = System.nanoTime() - backendStartNanos;
                ctx.write(HeadWriter.response(resp, ctx.alloc(), true, false, false, ConnectionHeader.NONE, null, 0),
                        ctx.voidPromise());
            } else if (code < 200) {
                interim = true;
                ctx.write(HeadWriter.response(resp, ctx.alloc(), true, false, false, ConnectionHeader.NONE, null, 0),
                        ctx.voidPromise());
            } else {
                onResponseHead(resp);
            }
        } else if (msg instanceof BadMessage bad) {
            String reason = "bad response from " + backendUrl + ": " + bad.reason();
            if (responseStarted || interim) {
                LOG.debug("{}", reason);
                closeAll();
            } else {
                failBackend(HttpResponseStatus.BAD_GATEWAY, reason);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(ResponseHead resp) {
        responseStarted = true;
        int code = resp.status();
        responseStatus = code;
        backendStatus = code;
        backendNanos = System.nanoTime() - backendStartNanos;
        HeaderFields h = resp.fields();
        if (code >= 501 && !(code == 503 && h.contains(HeaderFields.RETRY_AFTER))
                || code == 500 && rc.settings().backends().deadOn500()) {
            markDead();
        }
        backendKeepAlive = resp.keepAlive();
        if (rc.drain().isDraining()) {
            keepAlive = false;
        }
        boolean bodyAllowed = !headRequest && code != 204 && code != 304;
        boolean chunked = resp.isChunked();
        boolean client10 = clientHttp10;
        boolean dropFraming = false;
        if (bodyAllowed && !chunked && resp.contentLength() < 0) {
            // the backend ends this body by closing; re-frame it for HTTP/1.1 clients so they stay connected
            backendKeepAlive = false;
            dropFraming = resp.isTransferCoded();
            if (client10) {
                closeAfterResponse = true;
            } else {
                chunkBody = true;
            }
        } else if (chunked && client10) {
            // the decoder takes the chunked framing off for a client that cannot read it
            dropFraming = true;
            closeAfterResponse = true;
        }
        ConnectionHeader connection = !keepAlive || closeAfterResponse ? ConnectionHeader.CLOSE
                : client10 ? ConnectionHeader.KEEP_ALIVE : ConnectionHeader.NONE;
        DefaultHttpHeaders extra = null;
        if (debug) {
            extra = new DefaultHttpHeaders();
            DebugHeaders.add(extra, rc.version(), lookup, position, backendUrl, startNanos, backendStartNanos);
        }
        // held until the body's first part, which usually came in the same read: a small body then
        // goes out in the same buffer (one send, not a writev of two); the read's end flushes it anyway
        long length = resp.contentLength();
        int room = length > 0 && length <= MERGE_LIMIT && !chunkBody ? (int) length : 0;
        pendingHead = HeadWriter.response(resp, ctx.alloc(), false, dropFraming, chunkBody, connection, extra, room);
    }

    /** Writes the held head, with the body part {@code data} copied in when small; returns what is left to write. */
    private ByteBuf writePendingHead(ByteBuf data) {
        ByteBuf head = pendingHead;
        pendingHead = null;
        int n = data.readableBytes();
        if (n > 0 && n <= MERGE_LIMIT && !chunkBody) {
            head.writeBytes(data);
            data.release();
            data = Unpooled.EMPTY_BUFFER;
        }
        ctx.write(head, ctx.voidPromise());
        return data;
    }

    private void dropPendingHead() {
        if (pendingHead != null) {
            pendingHead.release();
            pendingHead = null;
        }
    }

    private void onResponseContent(BodyPart c) {
        ByteBuf data = c.content();
        bytesOut += c.payload();
        if (pendingHead != null) {
            data = writePendingHead(data);
        }
        if (!c.isLast()) {
            writeBody(data);
            return;
        }
        if (interim) {
            interim = false;
            data.release();
            return;
        }
        if (switching) {
            data.release();
            ctx.flush();
            startTunnel();
            return;
        }
        writeBody(data);
        if (chunkBody) {
            ctx.write(HeadWriter.LAST_CHUNK.duplicate(), ctx.voidPromise());
        }
        finishExchange();
    }

    private void writeBody(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
        } else if (chunkBody) {
            ctx.write(HeadWriter.chunkStart(ctx.alloc(), n), ctx.voidPromise());
            ctx.write(data, ctx.voidPromise());
            ctx.write(HeadWriter.chunkEnd(ctx.alloc()), ctx.voidPromise());
        } else {
            ctx.write(data, ctx.voidPromise());
        }
    }

    void onBackendReadComplete() {
        if (state != State.PROXYING) {
            return;
        }
        if (pendingHead != null) {
            writePendingHead(Unpooled.EMPTY_BUFFER);
        }
        ctx.flush();
        if (ctx.channel().isWritable()) {
            backend.read();
        } else {
            backendReadPending = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && backendReadPending && backend != null && state == State.PROXYING) {
            backendReadPending = false;
            backend.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void finishExchange() {
        record(responseStatus);
        Channel b = backend;
        releaseBackend(backendKeepAlive && requestComplete);
        if (b != null && !requestComplete) {
            keepAlive = false;
        }
        if (keepAlive && requestComplete && !closeAfterResponse) {
            state = State.IDLE;
            ctx.flush();
            nextRequest();
        } else {
            state = State.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void nextRequest() {
        request = null;
        Object next = pipelined;
        if (next != null) {
            pipelined = null;
            if (next instanceof RequestHead r) {
                onRequest(r);
            } else {
                onBadRequest((BadMessage) next);
            }
        } else {
            readClient();
            if (inputShutdown && state == State.IDLE) {
                // the client said all it had to say and nothing is left queued
                ctx.close();
            }
        }
    }

    private void releaseBackend(boolean reusable) {
        Channel b = backend;
        if (b == null) {
            return;
        }
        backend = null;
        backendHandler.unbind();
        backendHandler = null;
        if (reusable) {
            pool.release(b, backendUrl);
        } else {
            pool.discard(b);
        }
    }

    void onBackendFailure(BackendFailure failure, Throwable cause) {
        if (state != State.PROXYING) {
            return;
        }
        boolean staleReuse = backendReused && !responseSeen && failure != BackendFailure.TIMEOUT;
        Channel b = backend;
        backend = null;
        backendHandler = null;
        pool.discard(b);
        if (responseStarted || interim) {
            // part of a response is already with the client: nothing honest can follow it
            LOG.debug("backend {} failed mid-response: {}", backendUrl, failure);
            closeAll();
            return;
        }
        if (failure == BackendFailure.TIMEOUT) {
            markDead();
            sendError(HttpResponseStatus.GATEWAY_TIMEOUT, "backend " + backendUrl + " did not answer in time");
            return;
        }
        String reason = "backend " + backendUrl + (failure == BackendFailure.CLOSED ? " closed the connection"
                : " failed: " + (cause == null ? "" : cause.getMessage()));
        if (staleReuse) {
            // a kept-alive connection the backend had closed: not the backend's fault, try a fresh one
            tried.clear(position);
        } else {
            markDead();
        }
        boolean idempotent = isIdempotent(request.method());
        if (!bodySent && (idempotent || staleReuse && !hasBody)) {
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, reason);
        } else {
            sendError(HttpResponseStatus.BAD_GATEWAY, reason);
        }
    }

    private void failBackend(HttpResponseStatus status, String reason) {
        Channel b = backend;
        if (b != null) {
            backend = null;
            backendHandler.unbind();
            backendHandler = null;
            pool.discard(b);
        }
        sendError(status, reason);
    }

    private void markDead() {
        Frontend f = lookup.frontend();
        if (f != null && f.size() > 1) {
            rc.metrics().deadMark();
        }
        rc.routes().markDead(lookup, position);
    }

    /** Access log line and metrics for the exchange, once; 499 (nginx's) when the client left first. */
    private void record(int status) {
        if (recorded || request == null && !refused) {
            return;
        }
        recorded = true;
        long totalNanos = System.nanoTime() - startNanos;
        String key = lookup == null ? null : lookup.frontendKey();
        rc.metrics().request(key, status, totalNanos, backendNanos, bytesIn, bytesOut);
        if (AccessLog.enabled()) {
            RequestHead r = request;
            HeaderFields h = r == null ? null : r.fields();
            AccessLog.log(peerIp(), r == null ? null : r.method(), r == null ? null : r.uri(),
                    r == null ? null : clientHttp10 ? "HTTP/1.0" : "HTTP/1.1", status, bytesOut,
                    h == null ? null : h.get(HeaderFields.REFERER), h == null ? null : h.get(HeaderFields.USER_AGENT),
                    // __ping__ and refused requests were never normalised: show the Host as sent
                    host != null ? host : r == null ? null : r.host(),
                    totalNanos, backendNanos, key, backendStatus > 0 && backendUrl != null ? backendUrl.raw() : null,
                    backendStatus, bytesIn);
        }
    }

    private String peerIp() {
        if (peerIp == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            peerIp = a.getAddress().getHostAddress();
        }
        return peerIp;
    }

    private static boolean isIdempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    // ---- upgrades ----

    private void startTunnel() {
        // the exchange ends here for the log and metrics; the tunnel's bytes are not counted
        record(101);
        Channel client = ctx.channel();
        Channel b = backend;
        backend = null;
        backendHandler.unbind();
        backendHandler = null;
        state = State.CLOSED;
        long idleMs = rc.settings().timeouts().upgradeIdle().toMillis();

        ChannelPipeline bp = b.pipeline();
        bp.remove(BackendHandler.class);
        bp.remove("idle");
        bp.addLast("tunnel", new Tunnel(client));
        bp.remove("codec");

        ChannelPipeline cp = client.pipeline();
        cp.replace("idle", "idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
        cp.remove(this);
        cp.remove("flow");
        cp.addLast("tunnel", new Tunnel(b));
        cp.remove("codec");
        // the backend connection now belongs to the tunnel and is never pooled
        pool.handOver(b);
        client.read();
        b.read();
    }

    // ---- local answers ----

    private FullHttpResponse pong() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer("ok".getBytes(StandardCharsets.US_ASCII)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return r;
    }

    private void respondLocally(FullHttpResponse r) {
        BodyPart held = heldContent;
        if (held != null) {
            heldContent = null;
            requestComplete |= held.isLast();
            held.release();
        }
        if (requestComplete || !hasBody) {
            writeLocal(r);
        } else {
            state = State.DRAINING;
            drainThenSend = r;
            readClient();
        }
    }

    private void sendError(HttpResponseStatus status, String reason) {
        LOG.debug("{} for {} {}: {}", status.code(), host, request == null ? "" : request.uri(), reason);
        FullHttpResponse r = rc.errorPages().response(status);
        if (debug) {
            r.headers().set(DebugHeaders.ERROR, reason);
            if (lookup != null && lookup.frontend() != null) {
                DebugHeaders.add(r.headers(), rc.version(), lookup, position, backendUrl, startNanos,
                        backendStartNanos);
            }
        }
        if (!requestComplete) {
            // unread body bytes would be taken for the next request: this connection cannot go on
            keepAlive = false;
        }
        writeLocal(r);
    }

    private void writeLocal(FullHttpResponse r) {
        responseStatus = r.status().code();
        bytesOut = r.content().readableBytes();
        record(responseStatus);
        Channel b = backend;
        if (b != null) {
            releaseBackend(false);
        }
        if (rc.drain().isDraining()) {
            keepAlive = false;
        }
        if (keepAlive && requestComplete) {
            if (clientHttp10) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            state = State.IDLE;
            ctx.writeAndFlush(HeadWriter.local(r, ctx.alloc(), headRequest));
            nextRequest();
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            state = State.CLOSED;
            ctx.writeAndFlush(HeadWriter.local(r, ctx.alloc(), headRequest)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---- connection events ----

    private void closeAll() {
        dropPendingHead();
        record(responseStarted ? responseStatus : 499);
        state = State.CLOSED;
        Channel b = backend;
        if (b != null) {
            backend = null;
            if (backendHandler != null) {
                backendHandler.unbind();
                backendHandler = null;
            }
            pool.discard(b);
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropPendingHead();
        State was = state;
        if (was != State.IDLE && was != State.CLOSED) {
            record(responseStarted ? responseStatus : 499);
        }
        state = State.CLOSED;
        Channel b = backend;
        if (b != null) {
            // a half-used backend connection must never go back to the pool
            backend = null;
            backendHandler.unbind();
            backendHandler = null;
            pool.discard(b);
        }
        if (pipelined != null) {
            ReferenceCountUtil.release(pipelined);
            pipelined = null;
        }
        if (heldContent != null) {
            heldContent.release();
            heldContent = null;
        }
        LOG.trace("client closed in state {}", was);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (state == State.IDLE) {
                ctx.close();
            }
            return;
        }
        if (evt == Drain.EVENT) {
            // in-flight exchanges finish and then close (see keepAlive); idle connections go now
            if (state == State.IDLE) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // a client may half-close after its request and still wait for the answer
            inputShutdown = true;
            if (state == State.IDLE) {
                ctx.close();
            } else if (!requestComplete && state != State.CLOSED) {
                // ...but a client that stops sending mid-request will never finish it: close now, and
                // with it the backend connection holding the partial request (never pooled), instead
                // of leaving both open until the backend timeout
                closeAll();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.trace("client connection error: {}", cause.toString());
            closeAll();
            return;
        }
        Throwable root = cause.getCause() != null ? cause.getCause() : cause;
        if (state == State.IDLE) {
            // nothing of the last exchange applies
            onBadRequest(new BadMessage(400, String.valueOf(root.getMessage())));
            return;
        }
        if (!responseStarted && state != State.CLOSED && ctx.channel().isActive()) {
            keepAlive = false;
            requestComplete = false;
            sendError(HttpResponseStatus.BAD_REQUEST, "bad request: " + root.getMessage());
        } else {
            LOG.debug("client connection error", cause);
            closeAll();
        }
    }
}
