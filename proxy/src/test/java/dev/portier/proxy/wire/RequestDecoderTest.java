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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestDecoderTest {

    private final EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(64 * 1024));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private List<Object> feed(String... parts) {
        for (String p : parts) {
            ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static String body(List<Object> out) {
        StringBuilder b = new StringBuilder();
        for (Object o : out) {
            if (o instanceof BodyPart p) {
                b.append(p.content().toString(StandardCharsets.ISO_8859_1));
                p.release();
            }
        }
        return b.toString();
    }

    @Test
    void parsesABodylessRequestAndItsFacts() {
        List<Object> out = feed("GET /a?b=c HTTP/1.1\r\nHost: Example.com:8080\r\nX-Debug: 1\r\nAccept: */*\r\n\r\n");
        assertThat(out).hasSize(1);
        RequestHead h = (RequestHead) out.get(0);
        assertThat(h.method()).isEqualTo("GET");
        assertThat(h.uri()).isEqualTo("/a?b=c");
        assertThat(h.host()).isEqualTo("Example.com:8080");
        assertThat(h.hostCount()).isEqualTo(1);
        assertThat(h.debug()).isTrue();
        assertThat(h.hasBody()).isFalse();
        assertThat(h.keepAlive()).isTrue();
        assertThat(h.isHttp10()).isFalse();
        assertThat(h.fields().size()).isEqualTo(3);
        assertThat(h.fields().value(2)).isEqualTo("*/*");
    }

    @Test
    void aHeadTricklingInByteByByteIsOneRequest() {
        String req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        List<Object> out = new ArrayList<>();
        for (char c : req.toCharArray()) {
            out.addAll(feed(String.valueOf(c)));
        }
        assertThat(out).hasSize(1).first().isInstanceOf(RequestHead.class);
    }

    @Test
    void pipelinedRequestsComeOneAfterAnother() {
        List<Object> out = feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).hasSize(4);
        assertThat(((RequestHead) out.get(0)).uri()).isEqualTo("/1");
        assertThat(((RequestHead) out.get(1)).contentLength()).isEqualTo(3);
        BodyPart p = (BodyPart) out.get(2);
        assertThat(p.isLast()).isTrue();
        assertThat(p.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        p.release();
        assertThat(((RequestHead) out.get(3)).uri()).isEqualTo("/3");
    }

    @Test
    void aContentLengthBodyArrivingInPiecesEndsAtItsLength() {
        List<Object> out = feed("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123", "45", "6789GET");
        assertThat(body(out)).isEqualTo("0123456789");
        assertThat(out.stream().filter(o -> o instanceof BodyPart).count()).isEqualTo(3);
    }

    @Test
    void chunkedBodiesPassAsTheyCameWithExtensionsAndTrailers() {
        String chunked = "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n";
        List<Object> out = new ArrayList<>(feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int i = 0; i < chunked.length(); i += 7) {
            out.addAll(feed(chunked.substring(i, Math.min(chunked.length(), i + 7))));
        }
        BodyPart last = (BodyPart) out.get(out.size() - 1);
        assertThat(last.isLast()).isTrue();
        assertThat(body(out)).isEqualTo(chunked);
    }

    @Test
    void emptyLinesBeforeARequestAreIgnored() {
        List<Object> out = feed("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).hasSize(1).first().isInstanceOf(RequestHead.class);
    }

    @Test
    void keepAliveFollowsVersionAndConnection() {
        assertThat(((RequestHead) feed("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").get(0)).keepAlive()).isFalse();
        assertThat(((RequestHead) feed("GET / HTTP/1.0\r\nHost: a\r\n\r\n").get(0)).keepAlive()).isFalse();
        assertThat(((RequestHead) feed("GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n").get(0)).keepAlive()).isTrue();
    }

    @Test
    void upgradeNeedsConnectionUpgradeAndIsNeverH2c() {
        RequestHead ws = (RequestHead) feed("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n").get(0);
        assertThat(ws.upgrade()).isEqualTo("websocket");
        RequestHead h2c = (RequestHead) feed("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n").get(0);
        assertThat(h2c.upgrade()).isNull();
        RequestHead noConnection = (RequestHead) feed("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").get(0);
        assertThat(noConnection.upgrade()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CL and TE|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
            "two CLs|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\n|400",
            "CL list|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 3\\r\\n\\r\\n|400",
            "CL sign|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\n|400",
            "CL huge|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n|400",
            "TE not chunked|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|400",
            "TE chunked twice|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n|400",
            "TE chunked first|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n|400",
            "TE in 1.0|POST / HTTP/1.0\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
            "obs-fold|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\r\\n c\\r\\n\\r\\n|400",
            "space before colon|GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|400",
            "bare CR|GET / HTTP/1.1\\r\\nHost: a\\rX-B: c\\r\\n\\r\\n|400",
            "NUL in value|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\u0000c\\r\\n\\r\\n|400",
            "bad name|GET / HTTP/1.1\\r\\nHost: a\\r\\nX(A): b\\r\\n\\r\\n|400",
            "no colon|GET / HTTP/1.1\\r\\nHost: a\\r\\nnocolon\\r\\n\\r\\n|400",
            "no version|GET /\\r\\nHost: a\\r\\n\\r\\n|400",
            "two spaces|GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "lowercase version|GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "HTTP/2.0|GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n|505",
            "bad chunk size|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n|400",
            "chunk size space|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5 \\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
            "chunk size sign|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-5\\r\\n|400",
            "chunk LF only|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\nhello\\r\\n|400",
            "chunk data overrun|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nhello\\r\\n|400",
            "chunk size overflow|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n10000000000000000\\r\\n|400",
            "bad trailer|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nbad trailer\\r\\n\\r\\n|400",
    })
    void refusesWhatABackendCouldReadDifferently(String name, String request, int status) {
        List<Object> out = feed(unescape(request) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Object lastOut = out.get(out.size() - 1);
        body(out);
        assertThat(lastOut).as(name).isInstanceOf(BadMessage.class);
        assertThat(((BadMessage) lastOut).status()).isEqualTo(status);
        assertThat(feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).as("nothing is parsed after a refusal").isEmpty();
    }

    @Test
    void aLongRequestLineIs414AndAHugeHeadIs431() {
        Object line = feed("GET /" + "a".repeat(9000) + " HTTP/1.1\r\n").get(0);
        assertThat(((BadMessage) line).status()).isEqualTo(414);
        EmbeddedChannel other = new EmbeddedChannel(new RequestDecoder(64 * 1024));
        other.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n",
                StandardCharsets.US_ASCII));
        Object head = other.readInbound();
        assertThat(((BadMessage) head).status()).isEqualTo(431);
        other.finishAndReleaseAll();
    }

    @Test
    void theBackendRequestDropsHopByHopFieldsAndAddsForwarding() {
        RequestHead h = (RequestHead) feed("GET /p HTTP/1.0\r\nHost: a\r\nConnection: keep-alive, X-Private\r\n"
                + "Keep-Alive: timeout=5\r\nX-Private: secret\r\nTE: trailers\r\nProxy-Connection: x\r\n"
                + "X-Forwarded-For: 1.1.1.1\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-For: 2.2.2.2\r\n"
                + "X-Forwarded-Proto: https\r\nAccept:   text/html  \n\r\n").get(0);
        ByteBuf b = HeadWriter.backendRequest(h, ch.alloc(), HeadWriter.Forwarding.of("10.0.0.1", "http", 80));
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        assertThat(s).isEqualTo("GET /p HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.1\r\n"
                + "X-Forwarded-Proto: https\r\nAccept: text/html\r\nX-Real-IP: 10.0.0.1\r\n"
                + "X-Forwarded-Protocol: http\r\nX-Forwarded-Port: 80\r\n\r\n");
    }

    @Test
    void anUpgradeKeepsUpgradeAndSaysConnectionUpgrade() {
        RequestHead h = (RequestHead) feed("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n").get(0);
        ByteBuf b = HeadWriter.backendRequest(h, ch.alloc(), HeadWriter.Forwarding.of("10.0.0.1", "http", 80));
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        assertThat(s).contains("\r\nUpgrade: websocket\r\n").contains("\r\nConnection: upgrade\r\n")
                .doesNotContain("Connection: Upgrade");
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000");
    }
}
