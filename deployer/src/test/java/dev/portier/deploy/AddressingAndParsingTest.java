package dev.portier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.BackendUrl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AddressingAndParsingTest {

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

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("PT1M30S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("soon"));
    }

    @Test
    void confirmationHostMatchesWildcardFrontends() {
        assertEquals("www.example.com", ProxyConfirmation.hostFor("www.example.com"));
        assertEquals("portier-confirm.example.com", ProxyConfirmation.hostFor("*.example.com"));
        assertEquals(ProxyConfirmation.CATCH_ALL_PROBE_HOST, ProxyConfirmation.hostFor("*"));
    }

    @Test
    void usageErrorsExitWith2() {
        var out = new java.io.StringWriter();
        int code = PortierDeployer.commandLine(new java.io.PrintWriter(out), new java.io.PrintWriter(out))
                .execute("deploy", "--frontend", "a.test");
        assertEquals(ExitCode.USAGE, code);
        assertTrue(out.toString().contains("Missing required option: '--image=<image>'"), out.toString());
        int badApp = PortierDeployer.commandLine(new java.io.PrintWriter(out), new java.io.PrintWriter(out))
                .execute("--app", "no spaces", "deploy", "--image", "x:1", "--frontend", "a.test");
        assertEquals(ExitCode.USAGE, badApp);
    }
}
