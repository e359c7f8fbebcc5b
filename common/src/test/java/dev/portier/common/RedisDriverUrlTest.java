package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
