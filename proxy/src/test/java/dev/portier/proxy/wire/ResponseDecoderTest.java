package dev.portier.proxy.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseDecoderTest {

    private final ResponseDecoder decoder = new ResponseDecoder(64 * 1024);
    private final EmbeddedChannel ch = new EmbeddedChannel(decoder);

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private List<Object> feed(String... parts) {
        return DecoderFeed.feed(ch, parts);
    }

    private List<Object> drain() {
        return DecoderFeed.drain(ch);
    }

    /** The body bytes of the parts, released, with a {@code |} where a part ended the body. */
    private static String body(List<Object> out) {
        return DecoderFeed.body(out, true);
    }

    @Test
    void aContentLengthResponseEndsAtItsLengthAndTheNextOneFollowsTheNextRequest() {
        decoder.expect(false, false);
        assertThat(decoder.isClean()).isFalse();
        List<Object> out = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", "lo");
        assertThat(((ResponseHead) out.get(0)).status()).isEqualTo(200);
        assertThat(((ResponseHead) out.get(0)).keepAlive()).isTrue();
        assertThat(body(out)).isEqualTo("hello|");
        assertThat(decoder.isClean()).isTrue();
        decoder.expect(false, false);
        List<Object> next = feed("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assertThat(((ResponseHead) next.get(0)).status()).isEqualTo(404);
        assertThat(body(next)).isEqualTo("|");
        assertThat(decoder.isClean()).isTrue();
    }

    @Test
    void bytesPastTheEndOfAResponseAreNeverParsedAsTheNextOne() {
        decoder.expect(false, false);
        List<Object> out = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n"
                + "Set-Cookie: injected=by-previous-response\r\nX-Pad: ");
        assertThat(out).hasSize(3);
        assertThat(body(out.subList(0, 2))).isEqualTo("hello|");
        assertThat(out.get(2)).isInstanceOf(BadMessage.class);
        assertThat(decoder.isClean()).isFalse();
        decoder.expect(false, false);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).as("nothing after a refusal").isEmpty();
    }

    @Test
    void aBodyAnsweredToHeadLeavesTheConnectionUnclean() {
        decoder.expect(true, false);
        List<Object> out = feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody");
        assertThat(body(out.subList(0, 2))).isEqualTo("|");
        assertThat(out.get(2)).isInstanceOf(BadMessage.class);
        assertThat(decoder.isClean()).isFalse();
    }

    @Test
    void chunkedPassesAsItCameOrDechunkedForHttp10Clients() {
        String chunked = "4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: v\r\n\r\n";
        decoder.expect(false, false);
        List<Object> raw = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
        assertThat(((ResponseHead) raw.get(0)).isChunked()).isTrue();
        assertThat(body(raw)).isEqualTo(chunked + "|");
        decoder.expect(false, true);
        List<Object> plain = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunked.substring(0, 9),
                chunked.substring(9));
        assertThat(body(plain)).isEqualTo("Wikipedia|");
    }

    @Test
    void onlyAFinalChunkedCodingMakesAChunkedBody() {
        decoder.expect(false, false);
        List<Object> gzipChunked = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip ,  Chunked \r\nContent-Length: 9\r\n\r\n1\r\nx\r\n0\r\n\r\n");
        ResponseHead h = (ResponseHead) gzipChunked.get(0);
        assertThat(h.isChunked()).isTrue();
        assertThat(h.contentLength()).as("Transfer-Encoding overrides Content-Length").isEqualTo(-1);
        assertThat(body(gzipChunked)).isEqualTo("1\r\nx\r\n0\r\n\r\n|");
        decoder.expect(false, false);
        List<Object> chunkedGzip = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nabc");
        assertThat(((ResponseHead) chunkedGzip.get(0)).isChunked()).isFalse();
        assertThat(body(chunkedGzip)).as("runs until close").isEqualTo("abc");
    }

    @Test
    void aBodyWithoutLengthRunsUntilTheBackendCloses() {
        decoder.expect(false, false);
        List<Object> out = new ArrayList<>(feed("HTTP/1.0 200 OK\r\n\r\nsome", " more"));
        assertThat(((ResponseHead) out.get(0)).keepAlive()).isFalse();
        assertThat(((ResponseHead) out.get(0)).contentLength()).isEqualTo(-1);
        ch.finish();
        out.addAll(drain());
        assertThat(body(out)).isEqualTo("some more|");
    }

    @Test
    void headResponsesAnd204And304HaveNoBody() {
        decoder.expect(true, false);
        List<Object> head = feed("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
        assertThat(body(head)).isEqualTo("|");
        List<Object> out = new ArrayList<>();
        for (String response : new String[] {"HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}) {
            decoder.expect(false, false);
            out.addAll(feed(response));
        }
        assertThat(out.stream().filter(o -> o instanceof ResponseHead).count()).isEqualTo(3);
        assertThat(body(out)).isEqualTo("||ok|");
    }

    @Test
    void interimResponsesComeBeforeTheFinalOne() {
        decoder.expect(false, false);
        List<Object> out = feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx");
        assertThat(((ResponseHead) out.get(0)).status()).isEqualTo(100);
        assertThat(((ResponseHead) out.get(2)).status()).isEqualTo(201);
        assertThat(body(out)).isEqualTo("|x|");
    }

    @Test
    void afterA101NothingMoreIsParsed() {
        decoder.expect(false, false);
        List<Object> out = feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi");
        assertThat(((ResponseHead) out.get(0)).status()).isEqualTo(101);
        assertThat(body(out)).isEqualTo("|");
        assertThat(feed("HTTP/1.1 200 OK\r\n\r\n")).isEmpty();
    }

    @Test
    void malformedResponsesAre502() {
        decoder.expect(false, false);
        BadMessage bad = (BadMessage) feed("HTTP/1.1 2x0 OK\r\n\r\n").get(0);
        assertThat(bad.status()).isEqualTo(502);
        ResponseDecoder other = new ResponseDecoder(1024);
        EmbeddedChannel c = new EmbeddedChannel(other);
        c.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(((BadMessage) c.readInbound()).status()).isEqualTo(502);
        c.finishAndReleaseAll();
    }

    @Test
    void theClientGetsHttp11WithoutHopByHopFields() {
        decoder.expect(false, false);
        ResponseHead h = (ResponseHead) feed("HTTP/1.0 200 Fine\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n"
                + "X-Hop: 1\r\nContent-Length: 0\r\nServer: test\r\n\r\n").get(0);
        drain();
        ByteBuf b = HeadWriter.response(h, ch.alloc(), false, false, false, HeadWriter.ConnectionHeader.CLOSE, null, 0);
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        assertThat(s).isEqualTo("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\nServer: test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aResponseWithContentLengthAndTransferEncodingReachesTheClientWithoutContentLength() {
        decoder.expect(false, false);
        List<Object> out = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nServer: t\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n");
        ResponseHead h = (ResponseHead) out.get(0);
        assertThat(body(out)).isEqualTo("2\r\nok\r\n0\r\n\r\n|");
        ByteBuf b = HeadWriter.response(h, ch.alloc(), false, false, false, HeadWriter.ConnectionHeader.NONE, null, 0);
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        assertThat(s).isEqualTo("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: t\r\n\r\n");
    }

    @Test
    void aBareCrInAResponseHeadIs502AtOnce() {
        decoder.expect(false, false);
        List<Object> out = feed("HTTP/1.1 200 OK\rContent-Length: 0\r\r");
        assertThat(out).hasSize(1);
        assertThat(((BadMessage) out.get(0)).status()).isEqualTo(502);
    }
}
