package dev.portier.deploy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.testing.DockerHarness;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WatchCommandTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @TempDir
    Path dir;

    private String liveVersion() {
        List<String> list = H.list("app.test");
        if (list.size() < 2) {
            return null;
        }
        for (Container c : H.containers()) {
            if (c.getPorts().length > 0 && list.get(1).equals("http://127.0.0.1:" + c.getPorts()[0].getPublicPort())) {
                return c.getLabels().get(Labels.VERSION);
            }
        }
        return null;
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void watchDeploysEachNewVersionAndRetriesAFailureOnlyAtTheNextTick() throws Exception {
        Path wanted = dir.resolve("wanted-version");
        Path recorded = dir.resolve("deployed-version");
        Files.writeString(wanted, "v1\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread watch = new Thread(() -> exit.set(PortierDeployer.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--redis", H.redis.driverUrl(), "--app", H.app, "watch", "--image", H.images.repo,
                        "--version-file", wanted.toString(), "--record-file", recorded.toString(), "--interval", "1s",
                        "--frontend", "app.test", "--backend-address", "127.0.0.1", "--health-interval", "200ms",
                        "--health-deadline", "3s", "--log-dir", H.logDir.toString(), "--stop-timeout", "0s")), "watch");
        watch.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> "v1".equals(liveVersion()));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(recorded) && Files.readString(recorded).equals("v1\n"));

            Files.writeString(wanted, "v2\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> "v2".equals(liveVersion()));

            // v3 is not built yet: every tick fails (image missing), v2 stays live
            Files.writeString(wanted, "v3\n");
            long failingSince = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).until(() -> count(out.toString(), "deploy of v3 failed \\(exit 6\\)") >= 3);
            double seconds = (System.nanoTime() - failingSince) / 1e9;
            int failures = count(out.toString(), "deploy of v3 failed");
            assertEquals("v2", liveVersion());
            assertTrue(failures <= Math.ceil(seconds) + 1, failures + " failed attempts in " + seconds + " s: retried faster than the interval");

            H.images.tag(H.images.v1(), "v3");
            await().atMost(Duration.ofSeconds(20)).until(() -> "v3".equals(liveVersion()));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(recorded).equals("v3\n"));
            await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("version v3 is live, nothing to do"));
        } finally {
            watch.interrupt();
            watch.join(30_000);
            System.out.println(out + "\n" + err);
        }
        assertEquals(0, exit.get(), err.toString());
        assertTrue(out.toString().contains("watch stopped"));
    }

    @Test
    void aVersionRolledBackAutomaticallyIsNotDeployedAgainUntilTheWantedVersionChanges() throws Exception {
        Path wanted = dir.resolve("wanted-version");
        String[] once = {"watch", "--once", "--image", H.images.repo, "--version-file", wanted.toString(), "--frontend", "app.test",
                "--backend-address", "127.0.0.1", "--health-interval", "200ms", "--health-deadline", "3s",
                "--log-dir", H.logDir.toString(), "--stop-timeout", "0s"};
        // what a rejected canary or a regression after the promotion leaves
        H.redis.sync().set("rolledback:app.test", "v2");
        Files.writeString(wanted, "v2\n");

        DockerHarness.Run refused = H.cli(once);
        assertEquals(0, refused.exit(), refused.all());
        assertTrue(refused.out().contains("version v2 was rolled back automatically; waiting for another wanted version"), refused.out());
        assertEquals(List.of(), H.containers(), "nothing started");
        assertEquals("v2", H.redis.sync().get("rolledback:app.test"));

        Files.writeString(wanted, "v1\n");
        DockerHarness.Run moved = H.cli(once);
        assertEquals(0, moved.exit(), moved.all());
        assertEquals("v1", liveVersion());
        assertEquals(0L, H.redis.sync().exists("rolledback:app.test"), "the wanted version moved on: the record goes");
    }
}
