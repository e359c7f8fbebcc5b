package dev.portier.deploy.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DeployerProcess;
import dev.portier.deploy.testing.DockerHarness;
import dev.portier.deploy.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis goes away while a deploy health-checks its container, so the promotion is what fails. The
 * container is left running (the list might name it when Redis cannot say), but it never served:
 * retention and rollback must not count it as a version.
 */
class PromotionFailureTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @Test
    void aDeployWhosePromotionFailedFailsFastSaysSoAndNeverCountsAsAVersionThatServed() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        assertEquals(0, H.deploy(H.images.v2(), "app.test").exit());
        // what Redis holds now survives its restart below; the failing deploy's lock does not
        assertEquals("+OK", H.redis.server().command("SAVE"));

        // healthy only once the test says so: /www/late is a host directory the test writes into
        Path late = Files.createTempDirectory("portier-late-");
        String p3 = H.images.tag(H.images.v1(), "p3-" + H.app);
        long failedIn;
        try (DeployerProcess deploy = DeployerProcess.start(H.withGlobals(H.deployArgs(p3, "app.test",
                "-v", late + ":/www/late", "--health-path", "/late/health", "--health-deadline", "60s")))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> deploy.out().contains("health: attempt"));
            H.redis.server().stop();
            Files.writeString(late.resolve("health"), "ok\n");
            long healthyAt = System.nanoTime();

            int exit = deploy.exitWithin(30);
            failedIn = (System.nanoTime() - healthyAt) / 1_000_000;

            String err = deploy.err();
            assertEquals(ExitCode.REDIS_UNAVAILABLE, exit, deploy.out() + err);
            assertTrue(err.contains("promotion of http://127.0.0.1:"), err);
            assertFalse(err.contains("timed out"), "no timeout waited out: " + err);
            assertFalse(err.contains("lettuce") || err.contains("i.l.c.") || err.contains("ConnectionWatchdog"),
                    "Lettuce's own log lines on stderr: " + err);
            assertTrue(err.contains("left running"), err);
        } finally {
            TestImages.deleteTree(late);
        }
        assertTrue(failedIn < 5000, "failed " + failedIn + " ms after the container got healthy: a 5 s command timeout was waited out");
        assertEquals("running", H.containers("p3-" + H.app).get(0).getState(), "the list might name it: left running");

        H.redis.server().start();
        DockerHarness.Run back = H.cli("rollback", "--frontend", "app.test", "--health-interval", "200ms");
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().contains("version v1"), "a plain rollback goes to a version that served: " + back.out());

        String p4 = H.images.tag(H.images.v2(), "p4-" + H.app);
        DockerHarness.Run next = H.deploy(p4, "app.test", "--keep", "1", "--keep-images");
        assertEquals(0, next.exit(), next.all());
        Set<String> versions = H.containers().stream().map(c -> c.getLabels().get("dev.portier.version")).collect(Collectors.toSet());
        assertEquals(Set.of("p4-" + H.app, "v1"), versions, "kept: the version live before p4; never the one that never served\n" + next.out());
        assertTrue(next.out().contains("never served"), next.out());
        assertEquals(List.of(), H.containers("p3-" + H.app));
    }
}
