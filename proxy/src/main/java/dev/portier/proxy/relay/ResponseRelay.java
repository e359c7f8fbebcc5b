package dev.portier.proxy.relay;

import dev.portier.proxy.wire.BadMessage;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.HeadWriter;
import dev.portier.proxy.wire.HeadWriter.ConnectionHeader;
import dev.portier.proxy.wire.HeaderFields;
import dev.portier.proxy.wire.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import dev.portier.proxy.routing.ClientKey;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.ReferenceCountUtil;

/**
 * The backend-to-client half of an exchange: takes what the backend connection hands on (interim
 * heads, the final head, body parts), frames it for the client, and reads the backend only as fast
 * as the client takes the bytes. How the exchange goes on from there is the {@link Flow}'s call.
 */
final class ResponseRelay implements BackendEvents {

    /** What the response side asks of the connection it serves. */
    interface Flow {
        /** The whole response went to the client. */
        void responseDone();

        /** A 101 went to the client: the connection becomes a tunnel. */
        void switchProtocols();

        /** The backend connection closed, failed or stayed silent. */
        void backendFailed(RetryPolicy.Failure failure, String reason);

        /** The backend broke HTTP. */
        void badResponse(String reason);

        /** The backend answered in a way that marks it dead (Hipache: 5xx but 503 with Retry-After). */
        void markDead();

        /** The backend takes request bytes again. */
        void backendWritable();
    }

    private final ChannelHandlerContext ctx;
    private final RelayContext rc;
    private final ResponseWriter out;
    private final Flow flow;
    private Exchange ex;
    private BackendLease lease;
    private boolean readsHeld;

    ResponseRelay(ChannelHandlerContext ctx, RelayContext rc, ResponseWriter out, Flow flow) {
        this.ctx = ctx;
        this.rc = rc;
        this.out = out;
        this.flow = flow;
    }

    /** The exchange now holds {@code l}; its events come here until the lease ends. */
    void start(Exchange e, BackendLease l) {
        ex = e;
        lease = l;
        readsHeld = false;
        l.attach(this, e.headRequest, e.http10);
    }

    @Override
    public void onBackendRead(Object msg) {
        ex.responseSeen = true;
        if (msg instanceof BodyPart c) {
            onBody(c);
        } else if (msg instanceof ResponseHead resp) {
            int code = resp.status();
            if (code == 101 && !ex.upgrade) {
                flow.badResponse("backend " + ex.backendUrl + " switched protocols unasked");
            } else if (code < 200) {
                ex.switching = code == 101;
                ex.interim = code != 101;
                if (ex.switching) {
                    ex.responseStarted = true;
                    ex.backendAnswered(code);
                }
                out.passOn(HeadWriter.response(resp, ctx.alloc(), true, false, false, ConnectionHeader.NONE, null, 0));
            } else {
                onHead(resp);
            }
        } else if (msg instanceof BadMessage bad) {
            flow.badResponse("bad response from " + ex.backendUrl + ": " + bad.reason());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ResponseHead resp) {
        ex.responseStarted = true;
        int code = resp.status();
        ex.status = code;
        ex.backendAnswered(code);
        if (code >= 501 && !(code == 503 && resp.fields().contains(HeaderFields.RETRY_AFTER))
                || code == 500 && rc.settings().backends().deadOn500()) {
            flow.markDead();
        }
        if (rc.drain().isDraining()) {
            ex.keepAlive = false;
        }
        ResponseFraming f = ResponseFraming.decide(code, resp.contentLength(), resp.isChunked(),
                resp.isTransferCoded(), resp.keepAlive(), ex.headRequest, ex.http10, ex.keepAlive);
        ex.framing = f;
        DefaultHttpHeaders extra = null;
        if (ex.debug) {
            extra = new DefaultHttpHeaders();
            DebugHeaders.add(extra, rc.version(), ex);
        }
        if (ex.newClientId != null) {
            // the client's id for the canary split, so its next requests see the version this one did
            extra = extra == null ? new DefaultHttpHeaders() : extra;
            extra.add(HttpHeaderNames.SET_COOKIE, ClientKey.setCookie(ex.newClientId));
        }
        out.hold(HeadWriter.response(resp, ctx.alloc(), false, f.dropFraming(), f.chunkBody(), f.connection(),
                extra, f.mergeRoom()), f.chunkBody());
    }

    private void onBody(BodyPart c) {
        ByteBuf data = c.content();
        ex.bytesOut += c.payload();
        if (!c.isLast()) {
            out.body(data);
        } else if (ex.interim) {
            // the end of a 1xx: the final response follows on the same connection
            ex.interim = false;
            data.release();
        } else if (ex.switching) {
            data.release();
            ctx.flush();
            flow.switchProtocols();
        } else {
            out.body(data);
            out.end();
            flow.responseDone();
        }
    }

    @Override
    public void onBackendReadComplete() {
        out.flush();
        if (ctx.channel().isWritable()) {
            lease.read();
        } else {
            readsHeld = true;
        }
    }

    /** The client takes bytes again: the backend is read again. */
    void clientWritable() {
        if (readsHeld) {
            readsHeld = false;
            lease.resumeRead();
        }
    }

    @Override
    public void onBackendWritable() {
        flow.backendWritable();
    }

    @Override
    public void onBackendFailure(RetryPolicy.Failure failure, Throwable cause) {
        String reason = switch (failure) {
            case TIMEOUT -> "backend " + ex.backendUrl + " did not answer in time";
            case CLOSED -> "backend " + ex.backendUrl + " closed the connection";
            default -> "backend " + ex.backendUrl + " failed: " + (cause == null ? "" : cause.getMessage());
        };
        flow.backendFailed(failure, reason);
    }

    @Override
    public boolean waitingOnBackend() {
        // while reads are held for a slow client, or the client's body is still coming, the silence is not the backend's
        return !readsHeld && (ex.requestComplete || !lease.isWritable());
    }
}
