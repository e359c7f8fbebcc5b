package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.wire.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy's own answers: framed like proxied ones, Connection as the exchange allows, debug reasons only when asked. */
class LocalAnswersTest {

    private final LocalAnswers answers = new LocalAnswers(new ErrorPages(null), "portier/test");
    private final EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private static Exchange exchange(String head, boolean debugAllowed) {
        RequestHead req = RequestHead.parse((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return Exchange.of(req, true, debugAllowed);
    }

    private String written() {
        ByteBuf b = ch.readOutbound();
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    @Test
    void aPongKeepsAnHttp11ConnectionOpen() {
        Exchange ex = exchange("GET / HTTP/1.1\r\nHost: __ping__", false);
        assertTrue(answers.send(ch.pipeline().firstContext(), answers.pong(), ex, false));
        String out = written();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nok"), out);
        assertFalse(out.toLowerCase().contains("connection:"), out);
        assertTrue(ch.isOpen());
    }

    @Test
    void anHttp10ClientIsToldKeepAliveAndADrainingProxyCloses() {
        Exchange ex10 = exchange("GET / HTTP/1.0\r\nHost: __ping__\r\nConnection: keep-alive", false);
        assertTrue(answers.send(ch.pipeline().firstContext(), answers.pong(), ex10, false));
        assertTrue(written().toLowerCase().contains("connection: keep-alive"));
        Exchange ex = exchange("GET / HTTP/1.1\r\nHost: __ping__", false);
        assertFalse(answers.send(ch.pipeline().firstContext(), answers.pong(), ex, true));
        assertTrue(written().toLowerCase().contains("connection: close"));
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "closed once the answer is out");
    }

    @Test
    void anErrorCarriesItsReasonOnlyWhenDebugIsAllowed() {
        Exchange allowed = exchange("GET / HTTP/1.1\r\nHost: a\r\nX-Debug: 1", true);
        String out = answers.error(HttpResponseStatus.BAD_GATEWAY, "backend gone", allowed).headers()
                .get(DebugHeaders.ERROR);
        assertEquals("backend gone", out);
        Exchange refused = exchange("GET / HTTP/1.1\r\nHost: a\r\nX-Debug: 1", false);
        assertFalse(answers.error(HttpResponseStatus.BAD_GATEWAY, "backend gone", refused).headers()
                .contains(DebugHeaders.ERROR));
    }

    @Test
    void aHeadRequestGetsTheHeadWithoutTheBody() {
        Exchange ex = exchange("HEAD / HTTP/1.1\r\nHost: a", false);
        answers.send(ch.pipeline().firstContext(), answers.error(HttpResponseStatus.NOT_FOUND, "no", ex), ex, false);
        String out = written();
        assertTrue(out.startsWith("HTTP/1.1 404"), out);
        assertTrue(out.endsWith("\r\n\r\n"), "no body after the head: " + out);
    }
}
