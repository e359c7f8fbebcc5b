package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.testing.DockerHarness;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RollbackCommandTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private String backendOf(String version) {
        Container c = H.containers().stream().filter(x -> version.equals(x.getLabels().get(Labels.VERSION))).findFirst().orElseThrow();
        return "http://127.0.0.1:" + c.getPorts()[0].getPublicPort();
    }

    private DockerHarness.Run rollback(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("rollback", "--frontend", "app.test", "--health-interval", "200ms",
                "--health-deadline", "3s"));
        a.addAll(List.of(extra));
        return H.cli(a.toArray(new String[0]));
    }

    @Test
    void rollbackPromotesThePreviousContainerThenANamedOne() {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        assertEquals(0, H.deploy(H.images.v2(), "app.test").exit());
        assertEquals(List.of("default", backendOf("v2")), H.list("app.test"));

        long start = System.nanoTime();
        DockerHarness.Run back = rollback();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, back.exit(), back.all());
        assertEquals(List.of("default", backendOf("v1")), H.list("app.test"));
        System.out.println("rollback to previous took " + tookMs + " ms");
        assertTrue(tookMs < 5000, "rollback is seconds, no pull: " + tookMs + " ms");

        DockerHarness.Run forward = rollback("--to", "v2");
        assertEquals(0, forward.exit(), forward.all());
        assertEquals(List.of("default", backendOf("v2")), H.list("app.test"));

        assertEquals(2, H.containers().size(), "a rollback never creates or removes containers");
    }

    @Test
    void rollbackRestartsAStoppedContainer() {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        assertEquals(0, H.deploy(H.images.v2(), "app.test").exit());
        Container v1 = H.containers().stream().filter(x -> "v1".equals(x.getLabels().get(Labels.VERSION))).findFirst().orElseThrow();
        H.docker.stopContainerCmd(v1.getId()).withTimeout(0).exec();

        DockerHarness.Run back = rollback("--to", v1.getNames()[0].substring(1));

        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().contains("started container"), back.out());
        assertEquals(List.of("default", backendOf("v1")), H.list("app.test"));
    }

    @Test
    void nothingToRollBackToOrUnknownVersionIsExit8AndChangesNothing() {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        List<String> before = H.list("app.test");

        DockerHarness.Run none = rollback();
        assertEquals(ExitCode.NOT_FOUND, none.exit(), none.all());
        assertTrue(none.err().contains("nothing to roll back to"), none.err());

        DockerHarness.Run unknown = rollback("--to", "v9");
        assertEquals(ExitCode.NOT_FOUND, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("matches 'v9' (kept: none)"), "the live one is not kept: " + unknown.err());

        DockerHarness.Run live = rollback("--to", "v1");
        assertEquals(ExitCode.NOT_FOUND, live.exit(), live.all());
        assertTrue(live.err().contains("already live"), live.err());
        assertEquals(before, H.list("app.test"));
    }
}
