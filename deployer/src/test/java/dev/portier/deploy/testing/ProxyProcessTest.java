package dev.portier.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServer;
import dev.portier.deploy.rollout.ProxyProbe;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy-process helper: ready when it says so, stopped by SIGTERM (a drain, exit 0), and a failed start quotes its output. */
class ProxyProcessTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = new RedisServer().start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void answersPingOnceStartedAndDrainsOnClose() throws Exception {
        ProxyProcess p = ProxyProcess.start("ping", redis.driverUrl());
        try {
            assertEquals(200, ProxyProbe.get(URI.create("http://127.0.0.1:" + p.port()), "__ping__", "/", Map.of(),
                    Duration.ofSeconds(5)).status(), p.log());
        } finally {
            p.close();
        }
        assertFalse(p.process().isAlive());
        assertEquals(0, p.process().exitValue(), "SIGTERM drains and exits 0 (SIGKILL would be 137)\n" + p.log());
        assertTrue(p.log().contains("SIGTERM received"), p.log());
    }

    @Test
    void aProxyThatCannotStartFailsQuotingItsOutput() {
        AssertionError e = assertThrows(AssertionError.class, () -> ProxyProcess.start("bad", redis.driverUrl(), "--balancing", "sideways"));
        assertTrue(e.getMessage().contains("exited with 2 before it was ready"), e.getMessage());
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    }
}
