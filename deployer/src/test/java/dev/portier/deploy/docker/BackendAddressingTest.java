package dev.portier.deploy.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendAddressingTest {

    @Test
    void containerIpModeUsesTheBridgeIpAndContainerPortLikeTheScript() {
        BackendAddressing a = BackendAddressing.parse("container-ip");
        assertFalse(a.published());
        assertEquals(Optional.empty(), a.binding(8080));
        assertEquals(Optional.of(BackendUrl.of("172.17.0.5", 8080)),
                a.backendOf(8080, Map.of("bridge", "172.17.0.5"), List.of()));
        assertEquals(Optional.empty(), a.backendOf(8080, Map.of(), List.of()), "no IP yet: wait");
        BackendAddressing onNet = BackendAddressing.parse("container-ip", "portier");
        assertEquals(Optional.of(BackendUrl.of("172.20.0.9", 80)),
                onNet.backendOf(80, Map.of("bridge", "172.17.0.5", "portier", "172.20.0.9"), List.of()));
    }

    @Test
    void publishedModeUsesTheHostAddressAndPublishedPort() {
        BackendAddressing a = BackendAddressing.parse("127.0.0.1");
        assertTrue(a.published());
        assertEquals("127.0.0.1", a.binding(8080).orElseThrow().getBinding().getHostIp());
        assertEquals("40123", a.binding(8080, 40123).orElseThrow().getBinding().getHostPortSpec());
        assertEquals(Optional.of(BackendUrl.of("127.0.0.1", 32768)), a.backendOf(8080, Map.of("bridge", "172.17.0.5"),
                List.of(new BackendAddressing.Published("127.0.0.1", 9000, 40000),
                        new BackendAddressing.Published("127.0.0.1", 8080, 32768))));
    }

    @Test
    void imageReferencesSplitLikeDockerReadsThem() {
        assertEquals(new ImageRef("registry:5000/team/web", "v2", null), ImageRef.parse("registry:5000/team/web:v2"));
        assertEquals(new ImageRef("registry:5000/team/web", "latest", null), ImageRef.parse("registry:5000/team/web"));
        assertEquals("web:v3", ImageRef.parse("web:v2").withTag("v3").toString());
        assertEquals("sha256:abc", ImageRef.parse("web@sha256:abc").version());
    }
}
