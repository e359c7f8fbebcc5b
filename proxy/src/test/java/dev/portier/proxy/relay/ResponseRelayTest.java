package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import dev.portier.common.RedisDriverUrl;
import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.wire.RequestHead;
import dev.portier.proxy.wire.ResponseDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend-to-client half on Netty's embedded channels: what the client gets, and what the flow is told. */
class ResponseRelayTest {

    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final IdleStateHandler idle = new IdleStateHandler(30, 0, 0, TimeUnit.SECONDS);
    private final ResponseDecoder decoder = new ResponseDecoder(65536);
    private final EmbeddedChannel backend = new EmbeddedChannel(idle, decoder, new BackendHandler(idle, decoder));
    private final ProxyMetrics metrics = new ProxyMetrics(null, 0, "datadog");
    private final List<String> told = new ArrayList<>();
    private BackendLease lease;
    private boolean wroteBeforeBad;
    private final ResponseRelay.Flow flow = new ResponseRelay.Flow() {
        @Override
        public void responseDone() {
            told.add("done");
        }

        @Override
        public void switchProtocols() {
            told.add("switch");
        }

        @Override
        public void backendFailed(RetryPolicy.Failure failure, String reason) {
            told.add("failed " + failure);
        }

        @Override
        public void badResponse(String reason) {
            // as the relay does: the lease ends, and a 502 replaces whatever head was held
            told.add("bad");
            wroteBeforeBad = out.wrote();
            out.drop();
            lease.discard();
        }

        @Override
        public void markDead() {
            told.add("dead");
        }

        @Override
        public void backendWritable() {
        }
    };
    private final ResponseWriter out = new ResponseWriter(client.pipeline().firstContext());

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        backend.finishAndReleaseAll();
        metrics.close();
    }

    private void start(String request) {
        ProxySettings settings = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                RedisDriverUrl.parse("redis://127.0.0.1:1"));
        RelayContext rc = new RelayContext(settings, null, null, new ErrorPages(null), "portier/test", "http",
                new Drain(), metrics, null);
        ResponseRelay relay = new ResponseRelay(client.pipeline().firstContext(), rc, out, flow);
        Exchange ex = Exchange.of(RequestHead.parse((request + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                true, false);
        ex.backendUrl = BackendUrl.parse("http://10.0.0.1:80");
        out.begin();
        lease = new BackendLease(new BackendPool(new Bootstrap(), 1), backend, ex.backendUrl, false);
        relay.start(ex, lease);
    }

    private void backendSends(String bytes) {
        backend.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private String clientGot() {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = client.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void aWholeResponseGoesToTheClientAndEndsTheExchangeOnce() {
        start("GET / HTTP/1.1\r\nHost: a");
        backendSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n\r\nok");
        String got = clientGot();
        assertTrue(got.startsWith("HTTP/1.1 200 OK\r\n"), got);
        assertTrue(got.endsWith("\r\n\r\nok"), got);
        assertTrue(!got.toLowerCase().contains("keep-alive: timeout"), "hop-by-hop fields stay behind: " + got);
        assertEquals(List.of("done"), told);
    }

    @Test
    void aMalformedChunkedBodyIsABadResponseBeforeAnyByteReachesTheClient() {
        start("GET / HTTP/1.1\r\nHost: a");
        backendSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertEquals(List.of("bad"), told);
        assertTrue(!wroteBeforeBad, "the held head was not sent: a 502 can still be answered");
        assertNull(client.readOutbound());
    }

    @Test
    void fiveHundredsMarkTheBackendDeadButNotA503WithRetryAfter() {
        start("GET / HTTP/1.1\r\nHost: a");
        backendSends("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of("dead", "done"), told);
        told.clear();
        start("GET / HTTP/1.1\r\nHost: a");
        backendSends("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of("done"), told);
    }

    @Test
    void anUnaskedSwitchIsABadResponse() {
        start("GET / HTTP/1.1\r\nHost: a");
        backendSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
        assertEquals(List.of("bad"), told);
    }

    @Test
    void anInterimResponseIsPassedOnAndTheFinalOneFollows() {
        start("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-continue");
        backendSends("HTTP/1.1 100 Continue\r\n\r\n");
        assertEquals(List.of(), told);
        backendSends("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        String got = clientGot();
        assertTrue(got.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"), got);
        assertEquals(List.of("done"), told);
    }
}
