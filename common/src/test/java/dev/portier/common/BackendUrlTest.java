package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackendUrlTest {

    @Test
    void portDefaultsTo80() {
        BackendUrl u = BackendUrl.parse("http://10.0.0.5");
        assertEquals("10.0.0.5", u.host());
        assertEquals(80, u.port());
    }

    @Test
    void explicitPortIsKept() {
        assertEquals(49153, BackendUrl.parse("http://172.17.0.3:49153").port());
    }

    @Test
    void nonHttpIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BackendUrl.parse("ftp://x:1"));
        assertThrows(IllegalArgumentException.class, () -> BackendUrl.parse("10.0.0.1:80"));
    }

    @Test
    void frontendKeepsPositionsOfUnusableEntries() {
        Frontend f = Frontend.fromList("frontend:a", List.of("app", "http://a:1", "garbage", "http://b:2"));
        assertEquals("app", f.identifier());
        assertEquals(3, f.size());
        assertNull(f.backend(1));
        assertEquals(2, f.backend(2).port());
        assertEquals(List.of("app", "http://a:1", "garbage", "http://b:2"), f.toList());
    }

    @Test
    void emptyListIsNoFrontend() {
        assertNull(Frontend.fromList("frontend:a", List.of()));
    }
}
