package dev.portier.deploy.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServer;
import dev.portier.common.testing.SentinelGroup;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DeployerProcess;
import dev.portier.deploy.testing.DockerHarness;
import dev.portier.deploy.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deploys against a real Sentinel group whose master is killed mid-deploy: the lock, confirmed by
 * the replica before any container started, is on the new master (a second deploy is refused),
 * and the promotion goes to the new master whole.
 */
class SentinelDeployTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private static SentinelGroup group;

    @BeforeAll
    static void startGroup() {
        group = new SentinelGroup().start();
    }

    @AfterAll
    static void stopGroup() {
        if (group != null) {
            group.close();
        }
    }

    private List<String> args(String image, String frontend, String... extra) {
        List<String> a = new ArrayList<>(List.of("--redis", group.driverUrl(), "--app", H.app));
        a.addAll(H.deployArgs(image, frontend, extra));
        return a;
    }

    @Test
    void aDeployThatStraddlesAFailoverKeepsItsLockAndPromotesOnTheNewMaster() throws Exception {
        Path late = Files.createTempDirectory("portier-late-");
        try (DeployerProcess deploy = DeployerProcess.start(args(H.images.v1(), "app.test",
                "-v", late + ":/www/late", "--health-path", "/late/health", "--health-deadline", "90s"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> deploy.out().contains("health: attempt"));
            RedisServer killed = group.killMaster();
            RedisServer master = group.awaitNewMaster(killed, Duration.ofSeconds(30));
            String lock = master.reply("GET", "deploylock:app.test");
            assertTrue(lock.startsWith("deploy "), "the lock survived the failover: " + lock);

            try (DeployerProcess second = DeployerProcess.start(args(H.images.v2(), "app.test"))) {
                assertEquals(ExitCode.LOCK_HELD, second.exitWithin(60), second.out() + second.err());
                assertTrue(second.err().contains("another deploy is running"), second.err());
            }

            Files.writeString(late.resolve("health"), "ok\n");
            assertEquals(0, deploy.exitWithin(60), deploy.out() + deploy.err());
            List<String> list = List.of(master.reply("LRANGE", "frontend:app.test", "0", "-1").trim().split("\n"));
            assertEquals(2, list.size(), list.toString());
            assertTrue(list.get(1).startsWith("http://127.0.0.1:"), list.toString());
            assertTrue(master.reply("HGETALL", "live:app.test").contains(H.containers("v1").get(0).getId()),
                    "the live record went with the list (one script)");
            assertEquals("", master.reply("GET", "deploylock:app.test").trim(), "released on the new master");
            group.rejoin(killed, Duration.ofSeconds(60));
        } finally {
            TestImages.deleteTree(late);
        }
    }

    @Test
    void aPromotionSentWhileTheMasterIsDownWaitsForTheNewOne() throws Exception {
        Path late = Files.createTempDirectory("portier-late-");
        try (DeployerProcess deploy = DeployerProcess.start(args(H.images.v1(), "app.test",
                "-v", late + ":/www/late", "--health-path", "/late/health", "--health-deadline", "90s"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> deploy.out().contains("health: attempt"));
            RedisServer killed = group.killMaster();
            // healthy while there is no master: the promotion waits for the failover
            Files.writeString(late.resolve("health"), "ok\n");
            RedisServer master = group.awaitNewMaster(killed, Duration.ofSeconds(30));
            assertEquals(0, deploy.exitWithin(60), deploy.out() + deploy.err());
            String list = master.reply("LRANGE", "frontend:app.test", "0", "-1");
            assertTrue(list.contains("http://127.0.0.1:"), list);
            assertEquals("", master.reply("GET", "deploylock:app.test").trim(), "released on the new master");
            group.rejoin(killed, Duration.ofSeconds(60));
        } finally {
            TestImages.deleteTree(late);
        }
    }
}
