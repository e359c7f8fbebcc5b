package dev.portier.proxy.wire;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Shared by the fuzz targets (the parsers' here, the relay's whole exchange): input split as a
 * network would deliver it, decoders run over it, and what they hand on summed up so two runs can
 * be compared.
 */
public final class WireFuzzing {

    private WireFuzzing() {
    }

    /**
     * Splits bytes into the reads a network might deliver: a byte at a time, small or large pieces
     * or all at once, as {@code seed} decides, so the same fuzz input always splits the same way.
     */
    public static List<byte[]> pieces(byte[] bytes, long seed) {
        Random r = new Random(seed);
        int max = switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 8;
            case 2 -> 64;
            default -> Math.max(1, bytes.length);
        };
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; ) {
            int n = Math.min(bytes.length - i, 1 + r.nextInt(max));
            out.add(Arrays.copyOfRange(bytes, i, i + n));
            i += n;
        }
        return out;
    }

    /**
     * Writes each piece as one read into the channel, then ends the input; returns all the
     * channel's handlers passed on, in order (the caller releases them with {@link #releaseAll}).
     * An exception a handler throws escapes: for a fuzz target, that is a finding.
     */
    public static List<Object> decode(EmbeddedChannel ch, List<byte[]> pieces) {
        List<Object> out = new ArrayList<>();
        for (byte[] p : pieces) {
            ch.writeInbound(Unpooled.wrappedBuffer(p));
            drain(ch, out);
        }
        ch.finish();
        drain(ch, out);
        return out;
    }

    private static void drain(EmbeddedChannel ch, List<Object> out) {
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
    }

    public static void releaseAll(List<Object> out) {
        for (Object o : out) {
            ReferenceCountUtil.release(o);
        }
    }

    /**
     * What a decoder handed on, independent of how its input was split: each head as its bytes,
     * the body bytes of a message joined, where bodies end, and a refusal's status (not its
     * reason). Two runs over the same bytes must give the same summary. The part of a body that
     * is then refused is left out: whether its checked bytes went on before the refusal depends
     * on how they arrived.
     */
    public static List<String> summary(List<Object> out) {
        List<String> s = new ArrayList<>();
        StringBuilder body = null;
        for (Object o : out) {
            if (o instanceof BodyPart p) {
                if (body == null) {
                    body = new StringBuilder("body ");
                }
                body.append(p.content().toString(StandardCharsets.ISO_8859_1));
                if (p.isLast()) {
                    s.add(body.append(" (end)").toString());
                    body = null;
                }
                continue;
            }
            if (body != null) {
                if (!(o instanceof BadMessage)) {
                    s.add(body.toString());
                }
                body = null;
            }
            if (o instanceof RequestHead h) {
                s.add("request " + new String(h.bytes(), StandardCharsets.ISO_8859_1));
            } else if (o instanceof ResponseHead h) {
                s.add("response " + new String(h.bytes(), StandardCharsets.ISO_8859_1));
            } else if (o instanceof BadMessage b) {
                s.add("refused " + b.status());
            } else {
                s.add("unexpected " + o);
            }
        }
        if (body != null) {
            s.add(body.toString());
        }
        return s;
    }
}
