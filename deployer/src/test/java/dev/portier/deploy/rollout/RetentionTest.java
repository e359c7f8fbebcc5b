package dev.portier.deploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.testing.DockerHarness;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetentionTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private List<String> versionsNewestFirst() {
        return H.containers().stream()
                .sorted((a, b) -> b.getLabels().get(Labels.DEPLOYED_AT).compareTo(a.getLabels().get(Labels.DEPLOYED_AT)))
                .map(c -> c.getLabels().get(Labels.VERSION)).toList();
    }

    @Test
    void deployKeepsTheNewestNOldContainersAndRemovesImagesOnlyTheyUsed() {
        // a tag only the oldest container uses: removing it must untag it, never touch v1 itself
        String old = H.images.tag(H.images.v1(), "old-" + H.app);
        assertEquals(0, H.deploy(old, "app.test", "--keep", "1").exit());
        assertEquals(0, H.deploy(H.images.v1(), "app.test", "--keep", "1").exit());
        assertEquals(List.of("v1", "old-" + H.app), versionsNewestFirst());

        DockerHarness.Run third = H.deploy(H.images.v2(), "app.test", "--keep", "1");

        assertEquals(0, third.exit(), third.all());
        assertEquals(List.of("v2", "v1"), versionsNewestFirst());
        assertTrue(third.out().contains("removed image " + old), third.out());
        assertThrows(NotFoundException.class, () -> H.docker.inspectImageCmd(old).exec());
        H.docker.inspectImageCmd(H.images.v1()).exec();
        for (Container c : H.containers()) {
            assertEquals("running", c.getState(), "kept containers stay running for rollback");
        }
    }

    @Test
    void pruneCommandAppliesTheKeepCountAndNeverTouchesTheLiveContainer() {
        for (String image : List.of(H.images.v1(), H.images.v2(), H.images.v1(), H.images.v2())) {
            assertEquals(0, H.deploy(image, "app.test", "--keep", "5").exit());
        }
        // roll back to the oldest-but-one so "live" is not simply the newest
        List<String> before = H.list("app.test");
        assertEquals(0, H.cli("rollback", "--frontend", "app.test", "--health-interval", "200ms").exit());
        List<String> live = H.list("app.test");
        assertTrue(!before.equals(live));

        DockerHarness.Run prune = H.cli("prune", "--keep", "1", "--stop-timeout", "0s", "--keep-images");

        assertEquals(0, prune.exit(), prune.all());
        assertEquals(2, H.containers().size(), prune.out());
        assertEquals(live, H.list("app.test"));
        assertEquals(0, H.cli("rollback", "--frontend", "app.test", "--to", "v2", "--health-interval", "200ms").exit(),
                "the newest non-live container was the one kept");
    }

    @Test
    void retentionKeepsTheVersionsThatServedLastNotTheNewestDeployed() {
        // tags of this test only: the run's images are shared by every test class
        String p = "p-" + H.app + "-";
        for (String n : List.of("1", "2", "3", "4")) {
            assertEquals(0, H.deploy(H.images.tag(H.images.v1(), p + n), "app.test", "--keep", "5").exit());
        }
        DockerHarness.Run back = H.cli("rollback", "--frontend", "app.test", "--to", p + "1", "--health-interval", "200ms");
        assertEquals(0, back.exit(), back.all());

        DockerHarness.Run v3 = H.deploy(H.images.tag(H.images.v2(), p + "v3"), "app.test", "--keep", "1");

        assertEquals(0, v3.exit(), v3.all());
        assertEquals(Set.of(p + "v3", p + "1"), H.containers().stream().map(c -> c.getLabels().get(Labels.VERSION)).collect(Collectors.toSet()),
                p + "1 was live a moment before v3; " + p + "4 last served before it: " + v3.out());
        DockerHarness.Run again = H.cli("rollback", "--frontend", "app.test", "--health-interval", "200ms");
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("version " + p + "1"), again.out());
    }
}
