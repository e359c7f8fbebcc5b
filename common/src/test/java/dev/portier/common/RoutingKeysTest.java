package dev.portier.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RoutingKeysTest {

    @Test
    void keysCarryThePrefix() {
        RoutingKeys k = new RoutingKeys("p:");
        assertEquals("p:frontend:*.example.com", k.frontend("*.example.com"));
        assertEquals("p:dead:www.example.com", k.dead("www.example.com"));
        assertEquals("www.example.com", k.hostOfFrontendKey("p:frontend:www.example.com"));
        assertNull(k.hostOfFrontendKey("frontend:www.example.com"));
        assertEquals("a", k.hostOfDeadKey("p:dead:a"));
        assertEquals("p:canary:www.example.com", k.canary("www.example.com"));
        assertEquals("p:maintenance:www.example.com", k.maintenance("www.example.com"));
        assertEquals("p:pause:www.example.com", k.pause("www.example.com"));
        assertEquals("p:rolledback:www.example.com", k.rolledBack("www.example.com"));
        assertEquals("p:deploys", k.history());
        assertEquals("deploys", RoutingKeys.unprefixed().history());
    }

    @Test
    void globCharactersInThePrefixAreEscaped() {
        assertEquals("a\\*b:frontend:*", new RoutingKeys("a*b:").frontendPattern());
    }

    @Test
    void controlKeysSitBesideTheFrontendUnderThePrefix() {
        RoutingKeys k = new RoutingKeys("p:");
        assertEquals("p:canary:www.example.com", k.canary("www.example.com"));
        assertEquals("p:maintenance:*.example.com", k.maintenance("*.example.com"));
        assertEquals("p:pause:a", k.pause("a"));
        assertEquals("www.example.com", k.hostOfCanaryKey("p:canary:www.example.com"));
        assertEquals("a", k.hostOfMaintenanceKey("p:maintenance:a"));
        assertEquals("a", k.hostOfPauseKey("p:pause:a"));
        assertNull(k.hostOfCanaryKey("p:frontend:canary:a"));
        assertEquals("a\\*b:canary:*", new RoutingKeys("a*b:").canaryPattern());
        assertEquals("p:maintenance:*", k.maintenancePattern());
        assertEquals("p:pause:*", k.pausePattern());
    }
}
