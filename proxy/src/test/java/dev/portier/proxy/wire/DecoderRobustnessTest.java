package dev.portier.proxy.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Mutated and re-split messages, fed to both parsers: whatever the bytes, the parser never throws
 * and hands on only what {@link DecoderOutputCheck} allows (the fuzz targets' invariants, here
 * over a fixed set of mutations that every build runs).
 */
class DecoderRobustnessTest {

    private static final String[] REQUESTS = {
            "GET /a?b=c HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
            "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    };
    private static final String[] RESPONSES = {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            "HTTP/1.0 404 Not Found\r\n\r\nuntil close",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nKeep-Alive: timeout=5\r\n\r\n",
    };

    @Test
    void requestParserSurvivesMutations() {
        fuzz(REQUESTS, () -> new EmbeddedChannel(new RequestDecoder(4096)),
                (message, out) -> DecoderOutputCheck.requests(message, out, 4096));
    }

    @Test
    void responseParserSurvivesMutations() {
        fuzz(RESPONSES, () -> {
            ResponseDecoder d = new ResponseDecoder(4096);
            d.expect(false, true);
            return new EmbeddedChannel(d);
        }, (message, out) -> DecoderOutputCheck.responses(message, out, 4096, false, true));
    }

    private static void fuzz(String[] seeds, Supplier<EmbeddedChannel> channels, BiConsumer<byte[], List<Object>> check) {
        Random random = new Random(20261203);
        for (int round = 0; round < 20_000; round++) {
            byte[] message = mutate(random, (seeds[random.nextInt(seeds.length)] + seeds[random.nextInt(seeds.length)])
                    .getBytes(StandardCharsets.ISO_8859_1));
            EmbeddedChannel ch = channels.get();
            List<Object> out = new ArrayList<>();
            try {
                int i = 0;
                while (i < message.length) {
                    int n = 1 + random.nextInt(Math.min(32, message.length - i));
                    ch.writeInbound(Unpooled.wrappedBuffer(message, i, n));
                    i += n;
                    for (Object o; (o = ch.readInbound()) != null; ) {
                        out.add(o);
                    }
                }
                ch.finish();
                for (Object o; (o = ch.readInbound()) != null; ) {
                    out.add(o);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("parser threw on " + new String(message, StandardCharsets.ISO_8859_1), e);
            }
            check.accept(message, out);
            int refusals = 0;
            for (int k = 0; k < out.size(); k++) {
                Object o = out.get(k);
                assertThat(o).isInstanceOfAny(RequestHead.class, ResponseHead.class, BodyPart.class, BadMessage.class);
                if (o instanceof BadMessage b) {
                    refusals++;
                    assertThat(k).as("nothing after a refusal").isEqualTo(out.size() - 1);
                    assertThat(b.status()).isBetween(400, 505);
                }
                ReferenceCountUtil.release(o);
            }
            assertThat(refusals).isLessThanOrEqualTo(1);
        }
    }

    /** A few random byte changes: replaced, inserted or deleted, biased to the bytes HTTP cares about. */
    private static byte[] mutate(Random random, byte[] in) {
        byte[] special = {'\r', '\n', ' ', '\t', ':', ';', ',', '0', 'f', 0, (byte) 0x80, 'G', 'H'};
        List<Byte> b = new ArrayList<>(in.length + 8);
        for (byte x : in) {
            b.add(x);
        }
        int edits = random.nextInt(4);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int at = random.nextInt(b.size());
            byte v = random.nextBoolean() ? special[random.nextInt(special.length)] : (byte) random.nextInt(256);
            switch (random.nextInt(3)) {
                case 0 -> b.set(at, v);
                case 1 -> b.add(at, v);
                default -> b.remove(at);
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }
}
