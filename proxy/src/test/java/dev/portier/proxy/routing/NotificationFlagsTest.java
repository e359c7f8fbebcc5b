package dev.portier.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The notification flags we need are added to the server's own, never replacing them. */
class NotificationFlagsTest {

    @Test
    void notificationFlagsAreMergedWithTheServersOwn() {
        assertEquals("Kglshx", NotificationFlags.merge(""));
        assertEquals("ExKglsh", NotificationFlags.merge("Ex"));
        assertEquals("AK", NotificationFlags.merge("A"));
    }
}
