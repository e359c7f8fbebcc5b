package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import dev.portier.common.RedisDriverUrl;
import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawHttp;
import dev.portier.proxy.transport.Transport;
import dev.portier.proxy.wire.BodyPart;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lease on a real backend connection: only a whole response with nothing after it goes back to the pool. */
class BackendLeaseTest {

    private final Transport transport = Transport.best();
    private final EventLoopGroup group = transport.newGroup(1, "lease-test");
    private final EventLoop loop = group.next();
    private final BackendPools pools = new BackendPools(ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
            RedisDriverUrl.parse("redis://127.0.0.1:1")), transport);
    private RawBackend backend;

    @AfterEach
    void close() throws Exception {
        if (backend != null) {
            backend.close();
        }
        pools.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** What a lease's owner was told, in order. */
    private static final class Recorder implements BackendEvents {
        final List<RetryPolicy.Failure> failures = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        @Override
        public void onBackendRead(Object msg) {
            if (msg instanceof BodyPart p) {
                boolean last = p.isLast();
                p.release();
                if (last) {
                    ended.complete(null);
                }
            }
        }

        @Override
        public void onBackendReadComplete() {
        }

        @Override
        public void onBackendWritable() {
        }

        @Override
        public void onBackendFailure(RetryPolicy.Failure failure, Throwable cause) {
            failures.add(failure);
            ended.complete(null);
        }

        @Override
        public boolean waitingOnBackend() {
            return true;
        }
    }

    /** Runs one GET over a lease and ends it with release(true); returns whether the pool kept the connection. */
    private boolean exchangeAndRelease(BackendUrl url) throws Exception {
        CompletableFuture<BackendLease> leased = new CompletableFuture<>();
        Recorder owner = new Recorder();
        loop.execute(() -> BackendLease.acquire(pools.forLoop(loop), url, (lease, cause) -> {
            if (lease == null) {
                leased.completeExceptionally(cause);
                return;
            }
            lease.attach(owner, false, false);
            lease.send(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: b\r\n\r\n", StandardCharsets.ISO_8859_1));
            lease.read();
            leased.complete(lease);
        }));
        BackendLease lease = leased.get(5, TimeUnit.SECONDS);
        owner.ended.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), owner.failures);
        CompletableFuture<Integer> idle = new CompletableFuture<>();
        loop.execute(() -> {
            lease.release(true);
            idle.complete(pools.forLoop(loop).idleCount());
        });
        return idle.get(5, TimeUnit.SECONDS) == 1;
    }

    @Test
    void aCleanConnectionGoesBackToThePoolAndIsReused() throws Exception {
        backend = RawBackend.http(RawBackend.text("ok"));
        BackendUrl url = BackendUrl.parse(backend.url());
        assertTrue(exchangeAndRelease(url));
        assertTrue(exchangeAndRelease(url));
        assertEquals(1, backend.accepted.get(), "the second exchange reused the pooled connection");
    }

    @Test
    void aConnectionWithBytesAfterItsResponseIsClosedNotPooled() throws Exception {
        backend = RawBackend.http((req, out) -> RawHttp.write(out,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nSet-Cookie: injected\r\nX-Pad: "));
        BackendUrl url = BackendUrl.parse(backend.url());
        assertFalse(exchangeAndRelease(url), "a connection with unread bytes was pooled");
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.eofs.get() == 1);
    }

    @Test
    void aLeaseEndsOnceWhateverIsAskedAfter() throws Exception {
        backend = RawBackend.http(RawBackend.text("ok"));
        BackendUrl url = BackendUrl.parse(backend.url());
        CompletableFuture<Integer> active = new CompletableFuture<>();
        loop.execute(() -> BackendLease.acquire(pools.forLoop(loop), url, (lease, cause) -> {
            assertNotNull(lease, String.valueOf(cause));
            lease.discard();
            lease.discard();
            lease.release(true);
            active.complete(pools.forLoop(loop).activeCount());
        }));
        assertEquals(0, active.get(5, TimeUnit.SECONDS), "ending a lease twice counted it twice");
    }
}
