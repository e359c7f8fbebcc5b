package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseWriterTest {

    private final EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = ch.pipeline().firstContext();
    private final ResponseWriter out = new ResponseWriter(ctx);

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Each buffer that reached the socket, as text. */
    private List<String> sends() {
        List<String> sends = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            if (b.isReadable()) {
                sends.add(b.toString(StandardCharsets.ISO_8859_1));
            }
            b.release();
        }
        return sends;
    }

    @Test
    void aSmallBodyGoesOutInTheBufferOfItsHead() {
        out.begin();
        ByteBuf head = Unpooled.buffer(64).writeBytes("HEAD|".getBytes(StandardCharsets.ISO_8859_1));
        out.hold(head, false);
        assertFalse(out.wrote(), "a held head is not written yet");
        out.body(text("body"));
        out.end();
        out.flush();
        assertTrue(out.wrote());
        assertEquals(List.of("HEAD|body"), sends());
    }

    @Test
    void aReChunkedBodyGetsChunkFramingAndTheLastChunk() {
        out.begin();
        out.hold(text("HEAD|"), true);
        out.body(text("abc"));
        out.end();
        out.flush();
        assertEquals("HEAD|3\r\nabc\r\n0\r\n\r\n", String.join("", sends()));
    }

    @Test
    void theEndOfAReadFlushesAHeldHeadAlone() {
        out.begin();
        out.hold(text("HEAD|"), false);
        out.flush();
        assertEquals(List.of("HEAD|"), sends());
    }

    @Test
    void aDroppedHeadIsNeverSentAndNothingCountsAsWritten() {
        out.begin();
        ByteBuf head = text("HEAD|");
        out.hold(head, false);
        out.drop();
        out.flush();
        assertEquals(0, head.refCnt());
        assertFalse(out.wrote());
        assertNull(ch.readOutbound());
    }
}
