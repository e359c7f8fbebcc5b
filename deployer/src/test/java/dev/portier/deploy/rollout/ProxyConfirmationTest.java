package dev.portier.deploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProxyConfirmationTest {

    @Test
    void confirmationHostMatchesWildcardFrontends() {
        assertEquals("www.example.com", ProxyConfirmation.hostFor("www.example.com"));
        assertEquals("portier-confirm.example.com", ProxyConfirmation.hostFor("*.example.com"));
        assertEquals(ProxyConfirmation.CATCH_ALL_PROBE_HOST, ProxyConfirmation.hostFor("*"));
    }
}
