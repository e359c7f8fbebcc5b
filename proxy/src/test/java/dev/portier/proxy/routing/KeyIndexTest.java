package dev.portier.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyIndexTest {

    @Test
    void untilATrustedScanEndsEveryKeyMayExist() {
        KeyIndex index = new KeyIndex();
        assertTrue(index.mayExist("anything"));
        index.beginScan();
        index.scanned(List.of("a"));
        index.endScan(false);
        assertTrue(index.mayExist("anything"), "a scan made while events may be missed proves nothing absent");
        index.beginScan();
        index.scanned(List.of("a"));
        index.endScan(true);
        assertTrue(index.mayExist("a"));
        assertFalse(index.mayExist("anything"));
        index.invalidate();
        assertTrue(index.mayExist("anything"));
    }

    @Test
    void eventsDuringAScanWinOverWhatTheScanSaw() {
        KeyIndex index = new KeyIndex();
        index.beginScan();
        index.event("deleted", "del");      // deleted after the scan started...
        index.scanned(List.of("deleted"));  // ...but the scan had already passed it
        index.event("created", "rpush");    // created behind the scan's cursor
        index.endScan(true);
        assertFalse(index.mayExist("deleted"));
        assertTrue(index.mayExist("created"));
    }

    @Test
    void aRescanDropsKeysThatWentAwayWithoutAnEvent() {
        KeyIndex index = new KeyIndex();
        index.beginScan();
        index.scanned(List.of("a", "b"));
        index.endScan(true);
        index.beginScan();
        index.scanned(List.of("a"));
        assertTrue(index.mayExist("b"), "until the scan ends, b may still exist");
        index.endScan(true);
        assertFalse(index.mayExist("b"));
    }

    @Test
    void aRemovalIsConfirmedByTheReadItTriggersUnlessANewerEventCame() {
        KeyIndex index = new KeyIndex();
        index.beginScan();
        index.scanned(List.of("k"));
        index.endScan(true);
        for (String gone : List.of("del", "expired", "evicted", "rename_from", "move_from")) {
            long seen = index.event("k", gone);
            assertTrue(index.mayExist("k"), "an atomic DEL + RPUSH must leave no moment without the key");
            index.confirmAbsent("k", seen);
            assertFalse(index.mayExist("k"), gone);
            index.event("k", "rpush");
        }
        long seen = index.event("k", "del");
        index.event("k", "rpush");        // recreated before the read's reply came back
        index.confirmAbsent("k", seen);   // the read ran between the two
        assertTrue(index.mayExist("k"));
    }
}
