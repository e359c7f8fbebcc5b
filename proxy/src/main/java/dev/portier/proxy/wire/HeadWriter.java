package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes heads as the proxy passes them on: the field lines it keeps are copied as they came (line
 * endings normalised to CRLF), hop-by-hop fields are left out and the proxy's own are added. No
 * header map is built and nothing is re-encoded field by field.
 */
public final class HeadWriter {

    /** What the Connection header of a response to the client says. */
    public enum ConnectionHeader { NONE, CLOSE, KEEP_ALIVE }

    private static final byte[] HTTP_1_1_CRLF = ascii(" HTTP/1.1\r\n");
    private static final byte[] HOST = ascii("Host: ");
    private static final byte[] XFF = ascii("X-Forwarded-For: ");
    private static final byte[] X_REAL_IP = ascii("X-Real-IP: ");
    private static final byte[] XF_PROTO = ascii("X-Forwarded-Proto: ");
    private static final byte[] XF_PROTOCOL = ascii("X-Forwarded-Protocol: ");
    private static final byte[] XF_PORT = ascii("X-Forwarded-Port: ");
    private static final byte[] CONNECTION_UPGRADE = ascii("Connection: upgrade\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] TE_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] COMMA = ascii(", ");
    private static final short CRLF = '\r' << 8 | '\n';
    /** The end of a chunked body with no trailers. */
    public static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes(ascii("0\r\n\r\n"))).asReadOnly();

    private HeadWriter() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The values the proxy adds to every request it forwards from one client connection. */
    public record Forwarding(byte[] peerIp, byte[] scheme, byte[] localPort) {
        public static Forwarding of(String peerIp, String scheme, int localPort) {
            return new Forwarding(ascii(peerIp == null ? "unknown" : peerIp), ascii(scheme),
                    ascii(Integer.toString(localPort)));
        }
    }

    private static boolean hopByHop(byte kind) {
        return kind == HeaderFields.CONNECTION || kind == HeaderFields.KEEP_ALIVE
                || kind == HeaderFields.PROXY_CONNECTION || kind == HeaderFields.TE || kind == HeaderFields.TRAILER
                || kind == HeaderFields.NAMED_BY_CONNECTION;
    }

    /**
     * The request head for a backend, in HTTP/1.1, its target in origin-form (with Host the
     * authority of an absolute-form target): hop-by-hop fields out; X-Forwarded-For gets the
     * peer appended and X-Real-IP is the peer, so neither can be spoofed past us; Proto, Protocol
     * and Port are kept when present, because the load balancer in front (which terminated TLS)
     * knows them better than we do.
     */
    public static ByteBuf backendRequest(RequestHead h, ByteBufAllocator alloc, Forwarding fw) {
        HeaderFields f = h.fields();
        byte[] b = h.bytes();
        boolean upgrade = h.upgrade() != null;
        ByteBuf out = alloc.directBuffer(b.length + 160);
        RequestTarget t = h.target();
        out.writeBytes(b, 0, h.targetStart());
        if (t.slashMissing) {
            out.writeByte('/');
        }
        out.writeBytes(b, t.originStart, h.targetEnd() - t.originStart);
        out.writeBytes(HTTP_1_1_CRLF);
        boolean hostFromTarget = t.isAbsolute();
        if (hostFromTarget) {
            // RFC 9112 3.2.2: the target's authority wins over any Host field, which is dropped
            out.writeBytes(HOST);
            out.writeBytes(b, t.authorityStart, t.authorityEnd - t.authorityStart);
            out.writeShort(CRLF);
        }
        boolean proto = false;
        boolean protocol = false;
        boolean port = false;
        boolean xffWritten = false;
        for (int i = 0; i < f.size(); i++) {
            byte k = f.kind(i);
            if (hopByHop(k) || k == HeaderFields.UPGRADE && !upgrade || k == HeaderFields.X_REAL_IP
                    || hostFromTarget && k == HeaderFields.HOST) {
                continue;
            }
            if (k == HeaderFields.X_FORWARDED_FOR) {
                if (!xffWritten) {
                    xffWritten = true;
                    writeForwardedFor(out, f, fw);
                }
                continue;
            }
            proto |= k == HeaderFields.X_FORWARDED_PROTO;
            protocol |= k == HeaderFields.X_FORWARDED_PROTOCOL;
            port |= k == HeaderFields.X_FORWARDED_PORT;
            f.write(i, out);
        }
        if (!xffWritten) {
            line(out, XFF, fw.peerIp());
        }
        line(out, X_REAL_IP, fw.peerIp());
        if (!proto) {
            line(out, XF_PROTO, fw.scheme());
        }
        if (!protocol) {
            line(out, XF_PROTOCOL, fw.scheme());
        }
        if (!port) {
            line(out, XF_PORT, fw.localPort());
        }
        if (upgrade) {
            out.writeBytes(CONNECTION_UPGRADE);
        }
        out.writeShort(CRLF);
        return out;
    }

    private static void writeForwardedFor(ByteBuf out, HeaderFields f, Forwarding fw) {
        out.writeBytes(XFF);
        boolean any = false;
        for (int i = 0; i < f.size(); i++) {
            if (f.kind(i) == HeaderFields.X_FORWARDED_FOR && f.valueEnd(i) > f.valueStart(i)) {
                if (any) {
                    out.writeBytes(COMMA);
                }
                out.writeBytes(f.head, f.valueStart(i), f.valueEnd(i) - f.valueStart(i));
                any = true;
            }
        }
        if (any) {
            out.writeBytes(COMMA);
        }
        out.writeBytes(fw.peerIp());
        out.writeShort(CRLF);
    }

    private static void line(ByteBuf out, byte[] name, byte[] value) {
        out.writeBytes(name);
        out.writeBytes(value);
        out.writeShort(CRLF);
    }

    /**
     * A backend's response head for the client.
     *
     * @param asIs        pass every field (interim and 101 responses, whose Connection and Upgrade matter)
     * @param dropFraming leave Transfer-Encoding out (the body is de-chunked for an HTTP/1.0 client)
     * @param addChunked  say Transfer-Encoding: chunked (a body that ran until close is re-framed)
     * @param extra       more fields (X-Debug's), or null
     * @param room        bytes to leave free after the head (for a small body written with it)
     */
    public static ByteBuf response(ResponseHead h, ByteBufAllocator alloc, boolean asIs, boolean dropFraming,
                                   boolean addChunked, ConnectionHeader connection, HttpHeaders extra, int room) {
        HeaderFields f = h.fields();
        ByteBuf out = alloc.directBuffer(f.head.length + 64 + (extra == null ? 0 : 512) + room);
        h.writeStatusLine(out);
        // RFC 9112 6.3: with Transfer-Encoding, Content-Length is wrong and must go; passed on, a
        // client or cache that trusts it over Transfer-Encoding would frame the body differently
        boolean dropLength = h.isTransferCoded();
        for (int i = 0; i < f.size(); i++) {
            byte k = f.kind(i);
            if (!asIs && (hopByHop(k) || k == HeaderFields.UPGRADE
                    || dropFraming && k == HeaderFields.TRANSFER_ENCODING
                    || dropLength && k == HeaderFields.CONTENT_LENGTH)) {
                continue;
            }
            f.write(i, out);
        }
        if (addChunked) {
            out.writeBytes(TE_CHUNKED);
        }
        if (connection == ConnectionHeader.CLOSE) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (connection == ConnectionHeader.KEEP_ALIVE) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        if (extra != null) {
            writeFields(out, extra);
        }
        out.writeShort(CRLF);
        return out;
    }

    /** A response the proxy makes itself (error pages, pings); a HEAD request gets its head only. */
    public static ByteBuf local(FullHttpResponse r, ByteBufAllocator alloc, boolean headRequest) {
        ByteBuf body = r.content();
        ByteBuf out = alloc.directBuffer(256 + (headRequest ? 0 : body.readableBytes()));
        out.writeCharSequence("HTTP/1.1 ", StandardCharsets.US_ASCII);
        out.writeCharSequence(r.status().toString(), StandardCharsets.US_ASCII);
        out.writeShort(CRLF);
        writeFields(out, r.headers());
        out.writeShort(CRLF);
        if (!headRequest) {
            out.writeBytes(body, body.readerIndex(), body.readableBytes());
        }
        r.release();
        return out;
    }

    private static void writeFields(ByteBuf out, HttpHeaders headers) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            ByteBufUtil.writeAscii(out, e.getKey());
            out.writeShort(':' << 8 | ' ');
            ByteBufUtil.writeAscii(out, e.getValue());
            out.writeShort(CRLF);
        }
    }

    /** The size line that starts a chunk of {@code n} bytes. */
    public static ByteBuf chunkStart(ByteBufAllocator alloc, int n) {
        ByteBuf out = alloc.directBuffer(12);
        out.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
        out.writeShort(CRLF);
        return out;
    }

    /** The CRLF that ends a chunk's data. */
    public static ByteBuf chunkEnd(ByteBufAllocator alloc) {
        return alloc.directBuffer(2).writeShort(CRLF);
    }
}
