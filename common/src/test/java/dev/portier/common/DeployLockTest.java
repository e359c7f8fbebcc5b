package dev.portier.common;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeployLockTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final RoutingKeys keys = new RoutingKeys("p:");

    @BeforeEach
    void flush() {
        REDIS.flushAll();
    }

    @Test
    void secondAcquireFailsAtOnceNamingTheHolder() throws Exception {
        try (DeployLock first = DeployLock.acquire(REDIS.sync(), keys, "a.test", "deploy v2 by alice", Duration.ofSeconds(30))) {
            long start = System.nanoTime();
            DeployLock.HeldException e = assertThrows(DeployLock.HeldException.class,
                    () -> DeployLock.acquire(REDIS.sync(), keys, "a.test", "deploy v3 by bob", Duration.ofSeconds(30)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "refusal must not wait");
            assertEquals("deploy v2 by alice", e.holder().owner());
            assertTrue(e.getMessage().contains("p:deploylock:a.test is held by deploy v2 by alice"), e.getMessage());
            // another frontend is independent
            try (DeployLock other = DeployLock.acquire(REDIS.sync(), keys, "b.test", "bob", Duration.ofSeconds(30))) {
                assertTrue(other.isHeld());
            }
        }
        assertEquals(0L, REDIS.sync().exists("p:deploylock:a.test"));
    }

    @Test
    void heldLockIsRenewedBeyondItsTtl() throws Exception {
        try (DeployLock lock = DeployLock.acquire(REDIS.sync(), keys, "a.test", "alice", Duration.ofMillis(600))) {
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            // polled, not slept: the lock must be present at every look for 2.5 TTLs
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertEquals("alice", REDIS.sync().get("p:deploylock:a.test"));
                return System.nanoTime() > until;
            });
            assertTrue(lock.isHeld());
        }
    }

    @Test
    void crashedHolderLosesTheLockWhenItExpires() throws Exception {
        DeployLock crashed = DeployLock.acquire(REDIS.sync(), keys, "a.test", "alice", Duration.ofMillis(500));
        crashed.abandonForTest();
        AtomicReference<DeployLock> next = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                next.set(DeployLock.acquire(REDIS.sync(), keys, "a.test", "bob", Duration.ofSeconds(30)));
                return true;
            } catch (DeployLock.HeldException e) {
                return false;
            }
        });
        try (DeployLock bobs = next.get()) {
            // the old holder must neither renew nor release what is now bob's
            assertFalse(crashed.renew());
            crashed.close();
            assertEquals("bob", REDIS.sync().get("p:deploylock:a.test"));
            assertTrue(bobs.renew());
        }
    }
}
