package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket and any Upgrade: after the backend's 101 the two connections are one byte tunnel. */
class UpgradeEndToEndTest {

    private static final String UPGRADE_REQUEST = "GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;
    private final AtomicReference<Socket> backendSide = new AtomicReference<>();
    private final AtomicReference<RawHttp.Message> upgradeSeen = new AtomicReference<>();

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    /** A backend that answers 101 and then echoes every byte until the proxy closes. */
    private RawBackend echoingUpgradeBackend() throws IOException {
        RawBackend b = h.track(RawBackend.start((socket, in, out, backend) -> {
            upgradeSeen.set(RawHttp.readHead(in));
            backendSide.set(socket);
            RawHttp.write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) != -1) {
                out.write(buf, 0, r);
                out.flush();
            }
            backend.eofs.incrementAndGet();
        }));
        h.route("ws.test", "ws", b.url());
        return b;
    }

    private RawClient upgradedClient() throws IOException {
        RawClient client = h.client();
        RawHttp.Message switched = client.send(UPGRADE_REQUEST).readHead();
        assertEquals(101, switched.status());
        assertEquals("websocket", switched.header("upgrade"));
        return client;
    }

    @Test
    void bytesFlowBothWaysAfterThe101() throws Exception {
        h = ProxyHarness.start(redis);
        echoingUpgradeBackend();
        RawClient client = upgradedClient();

        byte[] frame = "\u0081\u0004ping not http at all".getBytes(StandardCharsets.ISO_8859_1);
        client.send(frame);

        assertArrayEquals(frame, client.readBytes(frame.length));
        RawHttp.Message seen = upgradeSeen.get();
        assertEquals("websocket", seen.header("upgrade"));
        assertTrue(seen.header("connection").toLowerCase().contains("upgrade"), seen.headers().toString());
        assertEquals("127.0.0.1", seen.header("x-forwarded-for"));
    }

    @Test
    void clientClosingClosesTheBackendSide() throws Exception {
        h = ProxyHarness.start(redis);
        RawBackend b = echoingUpgradeBackend();
        RawClient client = upgradedClient();
        client.send("x");
        client.readBytes(1);

        client.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> b.eofs.get() == 1);
    }

    @Test
    void backendClosingClosesTheClientSide() throws Exception {
        h = ProxyHarness.start(redis);
        echoingUpgradeBackend();
        RawClient client = upgradedClient();
        client.send("x");
        client.readBytes(1);

        backendSide.get().close();

        assertTrue(client.closedByPeer(), "the client connection should close with the backend's");
    }

    @Test
    void idleTunnelIsClosedAfterUpgradeIdleTimeout() throws Exception {
        h = ProxyHarness.start(redis, s -> s.with("timeouts.upgradeIdle", Duration.ofMillis(500)));
        RawBackend b = echoingUpgradeBackend();
        RawClient client = upgradedClient();
        client.send("x");
        client.readBytes(1);

        assertTrue(client.closedByPeer(), "an idle tunnel should be closed");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.eofs.get() == 1);
    }
}
