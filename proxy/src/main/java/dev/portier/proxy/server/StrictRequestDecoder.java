package dev.portier.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Queue;

/**
 * Netty's request decoder (which already refuses Content-Length with Transfer-Encoding, differing
 * Content-Lengths and bad chunk sizes) made strict about obsolete line folding too: Netty merges a
 * folded header into the previous one, and a backend that does not would read a different request.
 * It also records each request's method for the response encoder (HEAD responses have no body).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    private final Queue<HttpMethod> methods;
    private boolean inHead = true;
    private boolean lastWasLf;
    private boolean folded;

    StrictRequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        super(config);
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        boolean scanning = inHead;
        int start = buffer.readerIndex();
        int before = out.size();
        super.decode(ctx, buffer, out);
        if (scanning) {
            scanForFolding(buffer, start, buffer.readerIndex());
        }
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpMessage) {
                if (folded && scanning) {
                    reject(out, before);
                    return;
                }
                inHead = false;
                lastWasLf = false;
                if (o instanceof HttpRequest r && r.decoderResult().isSuccess()) {
                    methods.add(r.method());
                }
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
                folded = false;
            }
        }
    }

    private void scanForFolding(ByteBuf buffer, int from, int to) {
        if (from >= to) {
            return;
        }
        if (lastWasLf && isBlank(buffer.getByte(from))) {
            folded = true;
        }
        // only the byte after each line feed matters; indexOf finds them a word at a time
        int i = from;
        int lf;
        while ((lf = buffer.indexOf(i, to, (byte) '\n')) >= 0) {
            if (lf + 1 == to) {
                lastWasLf = true;
                return;
            }
            if (isBlank(buffer.getByte(lf + 1))) {
                folded = true;
            }
            i = lf + 1;
        }
        lastWasLf = false;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private void reject(List<Object> out, int from) {
        for (int i = out.size() - 1; i >= from; i--) {
            ReferenceCountUtil.release(out.remove(i));
        }
        folded = false;
        throw new ObsoleteLineFoldingException();
    }

    /** A request header was continued on a line starting with whitespace (RFC 9112 5.2). */
    static final class ObsoleteLineFoldingException extends IllegalArgumentException {
        ObsoleteLineFoldingException() {
            super("obsolete line folding in request headers");
        }
    }
}
