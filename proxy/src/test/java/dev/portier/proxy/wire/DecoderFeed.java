package dev.portier.proxy.wire;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Feeding text to a decoder in an EmbeddedChannel and reading back what it handed on, for the parser tests. */
final class DecoderFeed {

    private DecoderFeed() {
    }

    /** Writes each part as one read, then returns everything the decoder handed on so far. */
    static List<Object> feed(EmbeddedChannel ch, String... parts) {
        for (String p : parts) {
            ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
        }
        return drain(ch);
    }

    static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** The body bytes of the parts, released; {@code markLast}: a {@code |} where a part ended the body. */
    static String body(List<Object> out, boolean markLast) {
        StringBuilder b = new StringBuilder();
        for (Object o : out) {
            if (o instanceof BodyPart p) {
                b.append(p.content().toString(StandardCharsets.ISO_8859_1));
                if (markLast && p.isLast()) {
                    b.append('|');
                }
                p.release();
            }
        }
        return b.toString();
    }
}
