package dev.portier.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostMatcherTest {

    @Test
    void portIsStrippedAndCaseAlwaysLowered() {
        assertEquals("www.example.com", HostMatcher.normalise("WWW.Example.COM"));
        assertEquals("www.example.com", HostMatcher.normalise("www.example.com:8080"));
        assertEquals("www.example.com", HostMatcher.normalise("www.example.com."));
        assertEquals("[::1]", HostMatcher.normalise("[::1]:80"));
        assertNull(HostMatcher.normalise(":80"));
        assertNull(HostMatcher.normalise(""));
    }

    @Test
    void candidatesGoFromExactThroughWildcardsToCatchAll() {
        assertEquals(List.of("a.b.c.d", "*.b.c.d", "*.c.d", "*.d", "*"), HostMatcher.candidates("a.b.c.d"));
    }

    @Test
    void wildcardNeverMatchesTheBareDomain() {
        assertEquals(List.of("foo.bar", "*.bar", "*"), HostMatcher.candidates("foo.bar"));
    }

    @Test
    void singleLabelHostTriesItselfThenCatchAll() {
        assertEquals(List.of("localhost", "*"), HostMatcher.candidates("localhost"));
    }

    @Test
    void wildcardsStartFromTheLastSixLabels() {
        assertEquals(List.of("l1.l2.l3.l4.l5.l6.l7.l8",
                "*.l4.l5.l6.l7.l8", "*.l5.l6.l7.l8", "*.l6.l7.l8", "*.l7.l8", "*.l8", "*"),
                HostMatcher.candidates("l1.l2.l3.l4.l5.l6.l7.l8"));
    }

    @Test
    void ipv6LiteralGetsOnlyTheCatchAll() {
        assertEquals(List.of("[::1]", "*"), HostMatcher.candidates("[::1]"));
    }
}
