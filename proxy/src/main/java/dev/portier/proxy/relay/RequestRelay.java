package dev.portier.proxy.relay;

import dev.portier.proxy.wire.BadMessage;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.HeadWriter;
import dev.portier.proxy.wire.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one client connection: each request is routed by its Host, sent to a backend over a
 * pooled connection of the same event loop, and the response streamed back. What the parser hands
 * on waits in an inbox and is taken one message at a time, when the exchange can use it: pipelined
 * requests wait their turn there, and a request body is taken only as fast as the backend takes
 * it. The client is read (auto-read is off) only when the inbox is empty and more is wanted, and
 * the backend only when the client can take more; so memory per connection stays bounded.
 */
public final class RequestRelay extends ChannelInboundHandlerAdapter implements ClientInbox.Taker, ResponseRelay.Flow, Dispatch.Flow {

    private static final Logger LOG = LoggerFactory.getLogger(RequestRelay.class);

    private enum State { IDLE, ROUTING, PROXYING, DRAINING, CLOSED }

    private final RelayContext rc;
    private ChannelHandlerContext ctx;
    private BackendPool pool;
    private State state = State.IDLE;
    private Exchange ex;
    private BackendLease lease;
    /** A local answer that goes out once the rest of the request body has been read and dropped. */
    private FullHttpResponse afterDrain;
    private ResponseWriter out;
    private ResponseRelay response;
    private Dispatch dispatch;
    private ClientInbox inbox;
    private boolean inputShutdown;
    private String peerIp;
    private HeadWriter.Forwarding forwarding;
    private BodyDeadline bodyDeadline;
    private IdleClients idle;
    private IdleClients.Entry idleEntry;

    public RequestRelay(RelayContext rc) {
        this.rc = rc;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.inbox = new ClientInbox(ctx, this);
        this.pool = rc.pools().forLoop(ctx.channel().eventLoop());
        this.out = new ResponseWriter(ctx);
        this.response = new ResponseRelay(ctx, rc, out, this);
        this.dispatch = new Dispatch(ctx, rc, pool, this, this::peerIp);
        this.bodyDeadline = new BodyDeadline(ctx.executor(), rc.bodyTimeoutNanos(),
                () -> inbox.waitingOnClient(),
                silentMs -> onBadBody(new BadMessage(408, "no request body bytes for " + silentMs + " ms")));
        this.idle = rc.idleClients(ctx.channel().eventLoop());
        this.idleEntry = new IdleClients.Entry(this::idleTimedOut);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // the connection closed, or became a tunnel with an idle timeout of its own
        idle.remove(idleEntry);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        idle.touched(idleEntry);
        inbox.pump();
        ctx.fireChannelActive();
    }

    // ---- reads and the inbox ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof BodyPart) {
            bodyDeadline.progress();
        }
        inbox.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        idle.touched(idleEntry);
        inbox.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void reading() {
        if (ex != null && !ex.requestComplete) {
            bodyDeadline.arm();
        }
    }

    @Override
    public boolean take(Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
            return true;
        }
        if (state == State.IDLE) {
            if (msg instanceof RequestHead req) {
                onRequest(req);
            } else if (msg instanceof BadMessage bad) {
                onBadRequest(bad);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return true;
        }
        if (ex.requestComplete || msg instanceof RequestHead || ex.held != null && ex.held.isLast()) {
            // what follows belongs to the next pipelined request: it waits for this exchange to end
            // (whose last body part may still be held for a backend being found)
            return false;
        }
        if (msg instanceof BadMessage bad) {
            onBadBody(bad);
            return true;
        }
        BodyPart part = (BodyPart) msg;
        switch (state) {
            case PROXYING -> {
                if (!lease.isWritable()) {
                    return false;
                }
                forwardBody(part);
            }
            case ROUTING -> {
                if (ex.held != null) {
                    return false;
                }
                ex.held = part;
                if (ex.routeAfterFirstPart) {
                    ex.routeAfterFirstPart = false;
                    dispatch.route(ex);
                }
            }
            case DRAINING -> {
                boolean last = part.isLast();
                part.release();
                if (last) {
                    ex.requestComplete = true;
                    FullHttpResponse r = afterDrain;
                    afterDrain = null;
                    writeLocal(r);
                }
            }
            default -> part.release();
        }
        return true;
    }

    @Override
    public boolean wantsMore() {
        return switch (state) {
            case IDLE, DRAINING -> true;
            case CLOSED -> false;
            // a whole request keeps a read pending while it runs: the socket stays in the epoll set
            // (two epoll_ctl calls a request otherwise), a client that resets mid-exchange is seen at
            // once, and pipelined requests gather in the inbox. Not for an upgrade: the bytes after a
            // 101 belong to the tunnel, not to the parser.
            case PROXYING -> ex.requestComplete ? !ex.upgrade : lease.isWritable();
            case ROUTING -> ex.requestComplete ? !ex.upgrade : ex.held == null;
        };
    }

    // ---- the request ----

    /** The parser's stand-in for a request it could not read; it drops whatever follows. */
    private void onBadRequest(BadMessage bad) {
        ex = Exchange.refused();
        out.begin();
        refuse(HttpResponseStatus.valueOf(bad.status()), "malformed request: " + bad.reason());
    }

    /** The body of the request in flight broke its framing, or stopped coming. */
    private void onBadBody(BadMessage bad) {
        ex.keepAlive = false;
        if (out.wrote()) {
            abort();
        } else {
            refuse(HttpResponseStatus.valueOf(bad.status()), "malformed body: " + bad.reason());
        }
    }

    private void onRequest(RequestHead req) {
        ex = Exchange.of(req, rc.settings().listeners().keepAlive(), req.debug() && rc.debugAllowed(ctx.channel()));
        out.begin();
        state = State.ROUTING;
        RequestCheck check = RequestCheck.of(req);
        if (check.verdict() == RequestCheck.Verdict.PING) {
            respondLocally(rc.answers().pong());
            return;
        }
        if (check.verdict() == RequestCheck.Verdict.REFUSE) {
            ex.keepAlive = false;
            refuse(HttpResponseStatus.valueOf(check.status()), check.reason());
            return;
        }
        ex.host = check.host();
        if (forwarding == null) {
            forwarding = HeadWriter.Forwarding.of(peerIp(), rc.scheme(),
                    ((InetSocketAddress) ctx.channel().localAddress()).getPort());
        }
        if (req.body() == RequestHead.Body.CHUNKED && !req.expectsContinue()) {
            // the first chunk is read before a backend is chosen: a malformed chunk size is then
            // refused before a single byte of the request reaches a backend. (Not with Expect:
            // 100-continue, whose body waits for the backend's go-ahead.)
            ex.routeAfterFirstPart = true;
            return;
        }
        dispatch.route(ex);
    }

    private void forwardBody(BodyPart part) {
        ByteBuf bytes = part.content();
        if (ex.hasBody && bytes.isReadable()) {
            ex.bodySent = true;
            ex.bytesIn += part.payload();
            lease.send(bytes);
        } else {
            bytes.release();
        }
        if (part.isLast()) {
            ex.requestComplete = true;
            bodyDeadline.cancel();
        }
    }

    @Override
    public void backendWritable() {
        if (state == State.PROXYING) {
            inbox.pump();
        }
    }

    // ---- a backend found ----

    @Override
    public boolean waitingForBackend(Exchange e) {
        return state == State.ROUTING && ex == e;
    }

    @Override
    public void attached(BackendLease l) {
        lease = l;
        state = State.PROXYING;
        response.start(ex, l);
        l.send(HeadWriter.backendRequest(ex.request, ctx.alloc(), forwarding));
        l.read();
        BodyPart held = ex.held;
        if (held != null) {
            ex.held = null;
            forwardBody(held);
        }
        inbox.pump();
    }

    // ---- the response's end ----

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && state == State.PROXYING) {
            response.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void badResponse(String reason) {
        if (out.wrote()) {
            LOG.debug("{}", reason);
            abort();
            return;
        }
        dropLease();
        out.drop();
        refuse(HttpResponseStatus.BAD_GATEWAY, reason);
    }

    @Override
    public void responseDone() {
        ex.report(ex.status, rc.metrics(), peerIp());
        BackendLease l = lease;
        lease = null;
        boolean whole = ex.requestComplete;
        l.release(ex.framing.backendReusable() && whole);
        if (ex.keepAlive && whole && !ex.framing.closeAfter()) {
            ctx.flush();
            nextRequest();
        } else {
            closeAfterFlush();
        }
    }

    private void nextRequest() {
        state = State.IDLE;
        ex = null;
        if (inputShutdown && inbox.isEmpty()) {
            // the client said all it had to say and nothing is left to answer
            ctx.close();
            state = State.CLOSED;
            return;
        }
        inbox.pump();
    }

    @Override
    public void backendFailed(RetryPolicy.Failure failure, String reason) {
        BackendLease l = lease;
        lease = null;
        state = State.ROUTING;
        out.drop();
        dispatch.failed(ex, l, out.wrote(), failure, reason);
    }

    @Override
    public void markDead() {
        dispatch.markDead(ex);
    }

    private String peerIp() {
        if (peerIp == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            peerIp = a.getAddress().getHostAddress();
        }
        return peerIp;
    }

    // ---- upgrades ----

    @Override
    public void switchProtocols() {
        // the exchange ends here for the log and metrics; the tunnel's bytes are not counted
        ex.report(101, rc.metrics(), peerIp());
        Channel backend = lease.handOver();
        lease = null;
        state = State.CLOSED;
        Tunnel.open(ctx.channel(), this, backend, rc.settings().timeouts().upgradeIdle().toMillis());
    }

    // ---- local answers ----

    private void respondLocally(FullHttpResponse r) {
        ex.dropHeld();
        if (ex.requestComplete) {
            writeLocal(r);
        } else {
            state = State.DRAINING;
            afterDrain = r;
            inbox.pump();
        }
    }

    @Override
    public void refuse(HttpResponseStatus status, String reason) {
        LOG.debug("{} for {} {}: {}", status.code(), ex.host, ex.request == null ? "" : ex.request.uri(), reason);
        answer(rc.answers().error(status, reason, ex));
    }

    @Override
    public void answer(FullHttpResponse r) {
        ex.dropHeld();
        if (!ex.requestComplete) {
            // unread body bytes would be taken for the next request: this connection cannot go on
            ex.keepAlive = false;
        }
        writeLocal(r);
    }

    private void writeLocal(FullHttpResponse r) {
        bodyDeadline.cancel();
        out.drop();
        ex.bytesOut = r.content().readableBytes();
        ex.report(r.status().code(), rc.metrics(), peerIp());
        dropLease();
        if (rc.answers().send(ctx, r, ex, rc.drain().isDraining())) {
            nextRequest();
        } else {
            state = State.CLOSED;
            inbox.clear();
        }
    }

    // ---- connection events ----

    private void closeAfterFlush() {
        state = State.CLOSED;
        rc.finOnLastWrite().beforeLastFlush(ctx.channel());
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        inbox.clear();
    }

    @Override
    public void abort() {
        abandon();
        closeAfterFlush();
    }

    /** Ends whatever is in flight: logged as it got (499 if no response began), the backend connection closed. */
    private void abandon() {
        out.drop();
        bodyDeadline.cancel();
        if (ex != null && state != State.IDLE && state != State.CLOSED) {
            ex.dropHeld();
            ex.report(ex.responseStarted ? ex.status : 499, rc.metrics(), peerIp());
        }
        // a half-used backend connection must never go back to the pool
        dropLease();
    }

    private void dropLease() {
        if (lease != null) {
            lease.discard();
            lease = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.trace("client closed in state {}", state);
        idle.remove(idleEntry);
        abandon();
        state = State.CLOSED;
        inbox.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Drain.EVENT) {
            closeIfBetweenRequests();
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // a client may half-close after its request and still wait for the answer
            inputShutdown = true;
            if (state == State.IDLE) {
                if (inbox.isEmpty()) {
                    ctx.close();
                }
            } else if (state != State.CLOSED && !ex.requestComplete) {
                // ...but a client that stops sending mid-request will never finish it: close now, and
                // with it the backend connection holding the partial request (never pooled)
                abort();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Nothing read for the client idle timeout ({@link IdleClients}). */
    private void idleTimedOut() {
        closeIfBetweenRequests();
    }

    /** Idle or draining: in-flight exchanges finish first (see keepAlive). */
    private void closeIfBetweenRequests() {
        if (state == State.IDLE && inbox.isEmpty()) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.trace("client connection error: {}", cause.toString());
            abort();
            return;
        }
        Throwable root = cause.getCause() != null ? cause.getCause() : cause;
        if (state == State.IDLE) {
            onBadRequest(new BadMessage(400, String.valueOf(root.getMessage())));
            return;
        }
        if (state != State.CLOSED && !out.wrote() && ctx.channel().isActive()) {
            ex.keepAlive = false;
            ex.requestComplete = false;
            refuse(HttpResponseStatus.BAD_REQUEST, "bad request: " + root.getMessage());
        } else {
            LOG.debug("client connection error", cause);
            abort();
        }
    }

    /** Answered here, not from Netty's per-thread cache of the annotation: asked for every connection. */
    @Override
    public boolean isSharable() {
        return false;
    }
}
