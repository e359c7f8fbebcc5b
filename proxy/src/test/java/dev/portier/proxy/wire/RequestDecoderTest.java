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
        return DecoderFeed.feed(ch, parts);
    }

    private static String body(List<Object> out) {
        return DecoderFeed.body(out, false);
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
            "CL and TE|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|head",
            "two CLs|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\n|400|head",
            "CL list|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 3\\r\\n\\r\\n|400|head",
            "CL sign|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\n|400|head",
            "CL huge|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n|400|head",
            "TE not chunked|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|400|head",
            "TE empty element after|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked,\\r\\n\\r\\n|400|head",
            "TE empty element before|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: ,chunked\\r\\n\\r\\n|400|head",
            "TE empty element between|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, ,chunked\\r\\n\\r\\n|400|head",
            "TE empty|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: \\r\\n\\r\\n|400|head",
            "TE identity first|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity, chunked\\r\\n\\r\\n|501|head",
            "TE gzip first|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|501|head",
            "TE two fields|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|head",
            "TE two chunked fields|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|head",
            "TE quoted|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: \"chunked\"\\r\\n\\r\\n|400|head",
            "TE parameter|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked;q=1\\r\\n\\r\\n|400|head",
            "TE obs-text|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\u00e9\\r\\n\\r\\n|400|head",
            "absolute ftp|GET ftp://a/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "absolute userinfo|GET http://u@a/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "absolute no authority|GET http:///x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "absolute one slash|GET http:/a/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "relative target|GET a/b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "asterisk with GET|GET * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "absolute two Hosts|GET http://a/ HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|400|head",
            "no Host|GET / HTTP/1.1\\r\\nAccept: */*\\r\\n\\r\\n|400|head",
            "no Host in 1.0|GET / HTTP/1.0\\r\\n\\r\\n|400|head",
            "two Hosts|GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "empty Host|GET / HTTP/1.1\\r\\nHost: \\r\\n\\r\\n|400|head",
            "Host with space|GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|400|head",
            "Host with userinfo|GET / HTTP/1.1\\r\\nHost: u@a\\r\\n\\r\\n|400|head",
            "CR before request line|\\rGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "TE chunked twice|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n|400|head",
            "TE chunked first|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n|400|head",
            "TE in 1.0|POST / HTTP/1.0\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|head",
            "obs-fold|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\r\\n c\\r\\n\\r\\n|400|head",
            "space before colon|GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|400|head",
            "bare CR|GET / HTTP/1.1\\r\\nHost: a\\rX-B: c\\r\\n\\r\\n|400|head",
            "NUL in value|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\u0000c\\r\\n\\r\\n|400|head",
            "bad name|GET / HTTP/1.1\\r\\nHost: a\\r\\nX(A): b\\r\\n\\r\\n|400|head",
            "no colon|GET / HTTP/1.1\\r\\nHost: a\\r\\nnocolon\\r\\n\\r\\n|400|head",
            "no version|GET /\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "two spaces|GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "lowercase version|GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n|400|head",
            "HTTP/2.0|GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n|505|head",
            "bad chunk size|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n|400|body",
            "chunk size space|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5 \\r\\nhello\\r\\n0\\r\\n\\r\\n|400|body",
            "chunk size sign|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-5\\r\\n|400|body",
            "chunk LF only|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\nhello\\r\\n|400|body",
            "chunk data overrun|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nhello\\r\\n|400|body",
            "chunk size overflow|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n10000000000000000\\r\\n|400|body",
            "bad trailer|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nbad trailer\\r\\n\\r\\n|400|body",
    })
    void refusesWhatABackendCouldReadDifferently(String name, String request, int status, String where) {
        List<Object> out = feed(unescape(request) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Object lastOut = out.get(out.size() - 1);
        body(out);
        assertThat(lastOut).as(name).isInstanceOf(BadMessage.class);
        assertThat(((BadMessage) lastOut).status()).isEqualTo(status);
        // a refused head yields no RequestHead at all; a refused body follows its own head only
        assertThat(out.stream().filter(o -> o instanceof RequestHead).count()).as(name)
                .isEqualTo(where.equals("head") ? 0 : 1);
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

    @Test
    void onlyChunkedAloneIsATransferEncodingAndItsCaseAndSpacesDoNotMatter() {
        RequestHead h = (RequestHead) feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \t CHUNKED \r\n\r\n").get(0);
        assertThat(h.body()).isEqualTo(RequestHead.Body.CHUNKED);
    }

    @Test
    void anAbsoluteFormTargetRoutesByItsAuthorityAndReachesTheBackendInOriginForm() {
        RequestHead h = (RequestHead) feed("GET http://evil/ HTTP/1.1\r\nHost: good\r\n\r\n").get(0);
        assertThat(h.host()).isEqualTo("evil");
        assertThat(h.uri()).isEqualTo("/");
        assertThat(backendRequest(h)).startsWith("GET / HTTP/1.1\r\nHost: evil\r\nX-Forwarded-For: ")
                .doesNotContain("good");
    }

    @Test
    void anAbsoluteFormTargetNeedsNoHostAndGetsASlashWhenItsPathIsEmpty() {
        RequestHead h = (RequestHead) feed("GET HTTPS://Evil.test:8443?q=1 HTTP/1.1\r\nAccept: */*\r\n\r\n").get(0);
        assertThat(h.host()).isEqualTo("Evil.test:8443");
        assertThat(h.hostCount()).isZero();
        assertThat(h.uri()).isEqualTo("/?q=1");
        assertThat(backendRequest(h)).startsWith("GET /?q=1 HTTP/1.1\r\nHost: Evil.test:8443\r\nAccept: */*\r\n");
        RequestHead path = (RequestHead) feed("POST http://[::1]:80/a/b?c HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").get(0);
        assertThat(path.host()).isEqualTo("[::1]:80");
        assertThat(backendRequest(path)).startsWith("POST /a/b?c HTTP/1.1\r\nHost: [::1]:80\r\nContent-Length: 0\r\n");
    }

    @Test
    void theAsteriskFormIsForOptions() {
        RequestHead h = (RequestHead) feed("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").get(0);
        assertThat(h.uri()).isEqualTo("*");
        assertThat(backendRequest(h)).startsWith("OPTIONS * HTTP/1.1\r\nHost: a\r\n");
    }

    @Test
    void aConnectTargetIsLeftForTheRelayToRefuse() {
        RequestHead h = (RequestHead) feed("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n").get(0);
        assertThat(h.isConnect()).isTrue();
        assertThat(h.host()).isEqualTo("a.test:443");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "request line|GET / HTTP/1.1\\rHost: a\\r\\r",
            "inside the target|GET /\\r HTTP/1.1",
            "header line of an incomplete head|GET / HTTP/1.1\\r\\nHost: a\\rX",
            "between empty lines before a request|\\r\\n\\rG",
    })
    void aBareCrIsRefusedAtOnceNotWhenTheHeadEnds(String name, String bytes) {
        List<Object> out = feed(unescape(bytes));
        assertThat(out).as(name).hasSize(1).first().isInstanceOf(BadMessage.class);
        assertThat(((BadMessage) out.get(0)).status()).isEqualTo(400);
    }

    @Test
    void aCrWaitsForTheByteAfterIt() {
        assertThat(feed("GET / HTTP/1.1\r")).isEmpty();
        assertThat(feed("\nHost: a\r")).isEmpty();
        assertThat(feed("\n\r")).isEmpty();
        assertThat(feed("\n")).hasSize(1).first().isInstanceOf(RequestHead.class);
        assertThat(feed("\r")).isEmpty();
        assertThat(feed("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")).hasSize(1).first().isInstanceOf(RequestHead.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not hex|z",
            "space after the size|'5 '",
            "sign|-",
            "bare CR|5\\rh",
            "bare LF|5\\n",
            "control character in an extension|5;a\\u0000",
            "too many digits|1000000000000000",
            "bare CR in a trailer|0\\r\\nX-T: v\\rZ",
    })
    void aBadChunkLineIsRefusedAsSoonAsItsBadByteArrives(String name, String chunk) {
        List<Object> out = feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + unescape(chunk));
        body(out);
        assertThat(out).as(name).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(RequestHead.class);
        assertThat(((BadMessage) out.get(1)).status()).isEqualTo(400);
    }

    @Test
    void theFirstBodyPartOfAChunkedRequestComesOnlyOnceTheFirstSizeLineIsWhole() {
        assertThat(feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y")).hasSize(1);
        assertThat(feed("\r")).isEmpty();
        List<Object> first = feed("\n");
        assertThat(first).hasSize(1);
        BodyPart p = (BodyPart) first.get(0);
        assertThat(p.content().toString(StandardCharsets.US_ASCII)).isEqualTo("5;x=y\r\n");
        assertThat(p.payload()).isZero();
        p.release();
        List<Object> rest = new ArrayList<>();
        for (char c : "hello\r\n0\r\nX-T: v\r\n\r\n".toCharArray()) {
            rest.addAll(feed(String.valueOf(c)));
        }
        assertThat(((BodyPart) rest.get(rest.size() - 1)).isLast()).isTrue();
        assertThat(body(rest)).isEqualTo("hello\r\n0\r\nX-T: v\r\n\r\n");
    }

    /**
     * The head of issue 10's slow-request attack (64 KB: a Connection field of 10,000 tokens and
     * 4,800 other fields) costs one name look-up per field to strip what Connection names, where
     * matching every token against every field took 48 million comparisons.
     */
    @Test
    void markingTheFieldsConnectionNamesIsOneLookUpPerField() {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\nConnection: ");
        for (int i = 0; i < 10_000; i++) {
            head.append(i == 0 ? "" : ",").append((char) ('a' + i % 10));
        }
        head.append("\r\n");
        for (int i = 0; i < 4_800; i++) {
            head.append((char) ('k' + i % 10)).append(":vvvvv\r\n");
        }
        head.append("A: dropped\r\nJ: dropped\r\n\r\n");
        byte[] bytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        assertThat(bytes.length).isBetween(60_000, 66_000);
        RequestHead h = RequestHead.parse(bytes);
        assertThat(h.fields().size()).isEqualTo(4_804);
        assertThat(h.fields().nameLookups()).isLessThanOrEqualTo(h.fields().size());
        String written = backendRequest(h);
        assertThat(written).doesNotContain("dropped").doesNotContain("Connection").contains("\r\nt: vvvvv\r\nX-Forwarded-For: ");
    }

    private String backendRequest(RequestHead h) {
        ByteBuf b = HeadWriter.backendRequest(h, ch.alloc(), HeadWriter.Forwarding.of("10.0.0.1", "http", 80));
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        return s;
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000");
    }
}
