package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import dev.portier.proxy.accesslog.AccessRecord;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.RequestHead;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** One request's data: what it asked, and the one access-log record it leaves. */
class ExchangeTest {

    private static RequestHead head(String head) {
        return RequestHead.parse((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aRequestSaysWhatItNeeds() {
        Exchange get = Exchange.of(head("GET /a HTTP/1.1\r\nHost: h\r\nX-Debug: 1"), true, false);
        assertTrue(get.keepAlive);
        assertTrue(get.requestComplete, "a bodyless request is whole with its head");
        assertFalse(get.debug, "X-Debug needs an allowed client");
        Exchange post = Exchange.of(head("POST / HTTP/1.0\r\nHost: h\r\nContent-Length: 3"), true, true);
        assertFalse(post.keepAlive, "HTTP/1.0 without keep-alive");
        assertFalse(post.requestComplete);
        assertTrue(post.http10);
        Exchange off = Exchange.of(head("GET / HTTP/1.1\r\nHost: h"), false, true);
        assertFalse(off.keepAlive, "httpKeepAlive off");
    }

    @Test
    void aRefusedRequestIsRecordedWithoutAHead() {
        Exchange ex = Exchange.refused();
        assertTrue(ex.isRefused());
        AccessRecord r = ex.toRecord("10.0.0.1", 1_000_000);
        assertNull(r.method());
        assertEquals("10.0.0.1", r.peer());
        assertNull(r.backend());
    }

    @Test
    void theRecordNamesTheBackendOnlyWhenOneAnswered() {
        Exchange ex = Exchange.of(head("GET /x HTTP/1.1\r\nHost: Www.H.com\r\nUser-Agent: ua"), true, false);
        ex.host = "www.h.com";
        ex.backendUrl = BackendUrl.parse("http://10.0.0.2:80");
        assertNull(ex.toRecord("p", 1).backend(), "no answer yet");
        ex.backendAnswered(200);
        AccessRecord r = ex.toRecord("p", 1);
        assertEquals("http://10.0.0.2:80", r.backend());
        assertEquals(200, r.backendStatus());
        assertEquals("ua", r.userAgent());
        assertEquals("www.h.com", r.vhost());
        assertEquals("/x", r.uri());
    }

    @Test
    void itReportsOnceAndReleasesWhatItHeld() {
        try (ProxyMetrics metrics = new ProxyMetrics(null, 0, "datadog")) {
            Exchange ex = Exchange.of(head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2"), true, false);
            BodyPart part = new BodyPart(Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII), true);
            ex.held = part;
            ex.dropHeld();
            assertEquals(0, part.refCnt());
            assertTrue(ex.requestComplete, "the held part was the last one");
            ex.report(502, metrics, "p");
            ex.report(200, metrics, "p");
            assertEquals(502, ex.status, "the first report stands");
        }
    }
}
