package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisDriverUrlTest {

    @Test
    void bareSchemeMeansLocalDefaults() {
        RedisDriverUrl u = RedisDriverUrl.parse("redis:");
        assertEquals("127.0.0.1", u.host());
        assertEquals(6379, u.port());
        assertEquals(0, u.database());
        assertNull(u.password());
        assertEquals("", u.prefix());
    }

    @Test
    void everyPartIsRead() {
        RedisDriverUrl u = RedisDriverUrl.parse("redis://:s3cret@redis.internal:6380/2#hipache:");
        assertEquals("redis.internal", u.host());
        assertEquals(6380, u.port());
        assertEquals("s3cret", u.password());
        assertEquals(2, u.database());
        assertEquals("hipache:", u.prefix());
        assertEquals("hipache:frontend:www.example.com", u.keys().frontend("www.example.com"));
    }

    @Test
    void passwordNeverAppearsInToString() {
        RedisDriverUrl u = RedisDriverUrl.parse("redis://:s3cret@h:1/0");
        assertFalse(u.toString().contains("s3cret"));
        assertTrue(u.toString().contains("***"));
    }

    @Test
    void badPortNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis://:pw@host:notaport"));
        assertTrue(e.getMessage().contains("notaport"), e.getMessage());
        assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }

    @Test
    void otherSchemesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RedisDriverUrl.parse("http://localhost"));
    }

    @Test
    void aSentinelGroupInLettucesSyntaxIsRead() {
        RedisDriverUrl u = RedisDriverUrl.parse(
                "redis-sentinel://:pw@s1:26379,s2:26380,s3/2?sentinelMasterId=mymaster#hipache:");
        assertTrue(u.isSentinel());
        assertEquals(List.of(new RedisDriverUrl.Node("s1", 26379), new RedisDriverUrl.Node("s2", 26380),
                new RedisDriverUrl.Node("s3", 26379)), u.sentinels());
        assertEquals("mymaster", u.sentinelMasterId());
        assertEquals("pw", u.password());
        assertEquals(2, u.database());
        assertEquals("hipache:frontend:a", u.keys().frontend("a"));
        assertEquals("redis-sentinel://:***@s1:26379,s2:26380,s3:26379/2?sentinelMasterId=mymaster#hipache:", u.toString());
        assertEquals(u, RedisDriverUrl.parse(u.toString().replace("***", "pw")));
    }

    @Test
    void theSentinelUriAsksEverySentinelAndAuthenticatesOnlyAtTheMaster() {
        RedisURI uri = RedisDriverUrl.parse("redis-sentinel://:pw@s1,s2:1/3?sentinelMasterId=m").toRedisUri(Duration.ofSeconds(2));
        assertEquals("m", uri.getSentinelMasterId());
        assertEquals(2, uri.getSentinels().size());
        assertEquals("s2", uri.getSentinels().get(1).getHost());
        assertEquals(1, uri.getSentinels().get(1).getPort());
        assertEquals(3, uri.getDatabase());
        assertEquals("pw", new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword()));
        assertNull(uri.getSentinels().get(0).getCredentialsProvider().resolveCredentials().block().getPassword());
    }

    @Test
    void aPlainUrlIsNotASentinelGroup() {
        RedisDriverUrl u = RedisDriverUrl.parse("redis://h:1");
        assertFalse(u.isSentinel());
        assertTrue(u.sentinels().isEmpty());
        assertEquals(new RedisDriverUrl("h", 1, null, 0, ""), u);
        assertTrue(u.toRedisUri(Duration.ofSeconds(1)).getSentinels().isEmpty());
    }

    @Test
    void aSentinelGroupWithoutMasterNameSaysHowToGiveIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis-sentinel://:pw@s1:26379#mymaster"));
        assertTrue(e.getMessage().contains("?sentinelMasterId=NAME"), e.getMessage());
        assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }

    @Test
    void badSentinelPartsNameTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis-sentinel://s1:x?sentinelMasterId=m")).getMessage().contains("port 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis-sentinel://s1,,s2?sentinelMasterId=m")).getMessage().contains("empty sentinel"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis-sentinel://s1?sentinelMasterId=m&timeout=1")).getMessage().contains("'timeout'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RedisDriverUrl.parse("redis://h?sentinelMasterId=m")).getMessage().contains("redis-sentinel"));
    }
}
