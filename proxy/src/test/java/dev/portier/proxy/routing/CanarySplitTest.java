package dev.portier.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CanarySplitTest {

    private static final long FRONT = CanarySplit.frontendHash("www.example.com");
    private static final java.util.List<Integer> BUCKETS_OF_1_TO_8 = java.util.List.of(29, 56, 52, 34, 75, 85, 62, 20);

    @Test
    void bucketsAreSpreadEvenly() {
        int[] counts = new int[100];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            counts[CanarySplit.bucket(r.nextLong(), FRONT)]++;
        }
        for (int c : counts) {
            assertTrue(c > 800 && c < 1200, "about 1000 per bucket, got " + c);
        }
    }

    @Test
    void theHashesAreFixedSoEveryProxyOfAFleetAgrees() {
        // a change here moves clients between versions while proxies of two builds serve one frontend
        assertEquals(0xaf63dc4c8601ec8cL, CanarySplit.fnv("a"), "FNV-1a 64 of \"a\"");
        long front = CanarySplit.frontendHash("www.example.com");
        assertEquals(BUCKETS_OF_1_TO_8, java.util.stream.LongStream.rangeClosed(1, 8)
                .mapToObj(id -> CanarySplit.bucket(id, front)).toList());
    }

    @Test
    void aClientsBucketDiffersBetweenFrontends() {
        SplittableRandom r = new SplittableRandom(2);
        long other = CanarySplit.frontendHash("api.example.com");
        int same = 0;
        for (int i = 0; i < 10_000; i++) {
            long id = r.nextLong();
            if (CanarySplit.bucket(id, FRONT) < 20 == CanarySplit.bucket(id, other) < 20) {
                same++;
            }
        }
        // independent: P(same side) = 0.2² + 0.8² = 0.68, not 1
        assertTrue(same > 6500 && same < 7100, "got " + same);
    }

    @Test
    void aNewIdLandsInTheBucketItWasMadeFor() {
        for (int b = 0; b < 100; b++) {
            long id = CanarySplit.idInBucket(b, FRONT);
            assertEquals(b, CanarySplit.bucket(id, FRONT));
            assertNotEquals(ClientKey.NONE, id);
        }
    }

    @Test
    void aCookieDecidesAndNoNewOneIsGiven() {
        Canary c = new Canary(BackendUrl.parse("http://127.0.0.1:1"), 20, FRONT);
        long id = CanarySplit.idInBucket(7, FRONT);
        CanarySplit.Decision d = CanarySplit.decide(c, "a=b; portier_id=" + ClientKey.format(id) + "; c=d", null, "10.0.0.1");
        assertTrue(d.canary());
        assertEquals(7, d.bucket());
        assertNull(d.newCookieId());
    }

    @Test
    void withoutACookieTheAddressDecidesAndTheNewCookieAgrees() {
        Canary c = new Canary(BackendUrl.parse("http://127.0.0.1:1"), 50, FRONT);
        for (int i = 0; i < 200; i++) {
            String ip = "192.168.0." + i;
            CanarySplit.Decision first = CanarySplit.decide(c, null, null, ip);
            CanarySplit.Decision again = CanarySplit.decide(c, "x=y", null, ip);
            assertEquals(first.bucket(), again.bucket(), "the same address, the same bucket");
            CanarySplit.Decision withCookie = CanarySplit.decide(c, "portier_id=" + first.newCookieId(), null, "10.9.9.9");
            assertEquals(first.bucket(), withCookie.bucket(), "the cookie keeps the bucket the address gave");
            assertNull(withCookie.newCookieId());
        }
        // behind a load balancer the first X-Forwarded-For entry is the client
        assertEquals(CanarySplit.decide(c, null, null, "203.0.113.9").bucket(),
                CanarySplit.decide(c, null, "203.0.113.9, 10.0.0.1", "10.0.0.2").bucket());
    }

    @Test
    void onlyAWellFormedCookieCounts() {
        assertEquals(0x00000000000000ffL, ClientKey.fromCookie("portier_id=00000000000000ff"));
        assertEquals(0xabcdef0123456789L, ClientKey.fromCookie("x=1;portier_id=abcdef0123456789;y=2"));
        assertEquals(ClientKey.NONE, ClientKey.fromCookie("my_portier_id=abcdef0123456789"));
        assertEquals(ClientKey.NONE, ClientKey.fromCookie("portier_id=abc"));
        assertEquals(ClientKey.NONE, ClientKey.fromCookie("portier_id=abcdef0123456789aa"));
        assertEquals(ClientKey.NONE, ClientKey.fromCookie("portier_id=zzzzzzzzzzzzzzzz"));
        assertEquals(ClientKey.NONE, ClientKey.fromCookie(null));
        assertEquals("00000000000000ff", ClientKey.format(0xff));
    }

    @Test
    void aCanaryHashIsReadOrRefusedWithTheFieldNamed() {
        Canary c = Canary.fromHash("a.test", Map.of("backend", "http://127.0.0.1:9", "percent", "25"));
        assertEquals("http://127.0.0.1:9", c.backend().raw());
        assertEquals(25, c.percent());
        assertNull(Canary.fromHash("a.test", Map.of()));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Canary.fromHash("a.test", Map.of("backend", "http://127.0.0.1:9", "percent", "101")))
                .getMessage().contains("percent"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Canary.fromHash("a.test", Map.of("backend", "nope", "percent", "5")))
                .getMessage().contains("backend"));
        assertFalse(Canary.fromHash("a.test", Map.of("backend", "http://127.0.0.1:9", "percent", "0")).percent() > 0);
    }
}
