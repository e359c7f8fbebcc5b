package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.portier.common.testing.FreePort;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.testing.DockerHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bootstrap without a registry: the Redis and proxy images are stand-ins (a sleeping busybox),
 * and Redis readiness and the frontend registration go to the test's real redis-server given by
 * --redis. What stays untested here: that the real redis and proxy images start and talk.
 */
class BootstrapCommandTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private List<Container> byRole(String instance, String role) {
        return H.docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.ROLE, role, Labels.INSTANCE, instance)).exec();
    }

    private DockerHarness.Run bootstrap(String instance, int redisPort, String redisImage) {
        return H.cli("bootstrap", "--instance", instance, "--redis-image", redisImage,
                "--proxy-image", H.images.sleeper(), "--redis-port", String.valueOf(redisPort),
                "--log-root", H.logDir.toString(), "--ready-timeout", "5s");
    }

    @Test
    void bootstrapStartsWhatIsMissingOnceAndReplacesADeadContainer() {
        String instance = "p" + H.app;
        int port = FreePort.find();

        DockerHarness.Run first = bootstrap(instance, port, H.images.sleeper());
        assertEquals(0, first.exit(), first.all());
        assertEquals(1, byRole(instance, "redis").size());
        assertEquals(1, byRole(instance, "proxy").size());
        assertEquals(List.of("default"), H.list("*"));
        InspectContainerResponse proxy = H.docker.inspectContainerCmd(instance + "-proxy").exec();
        assertEquals("unless-stopped", proxy.getHostConfig().getRestartPolicy().getName());
        assertEquals("host", proxy.getHostConfig().getNetworkMode());
        assertTrue(List.of(proxy.getConfig().getEnv()).contains("REDIS_URL=redis://127.0.0.1:" + port));
        InspectContainerResponse redis = H.docker.inspectContainerCmd(instance + "-redis").exec();
        assertEquals(H.logDir.resolve("redis") + ":/logs", redis.getHostConfig().getBinds()[0].toString().replace(":rw", ""));
        String redisId = redis.getId();

        H.redis.sync().rpush("frontend:*", "http://10.0.0.5:80");
        DockerHarness.Run again = bootstrap(instance, port, H.images.sleeper());
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("everything was already running"), again.out());
        assertTrue(again.out().contains("frontend:* already registered"), again.out());
        assertEquals(List.of("default", "http://10.0.0.5:80"), H.list("*"), "an existing list is never touched");
        assertEquals(redisId, byRole(instance, "redis").get(0).getId());

        H.docker.killContainerCmd(redisId).exec();
        DockerHarness.Run revive = bootstrap(instance, port, H.images.sleeper());
        assertEquals(0, revive.exit(), revive.all());
        List<Container> redisNow = byRole(instance, "redis");
        assertEquals(1, redisNow.size());
        assertTrue(!redisNow.get(0).getId().equals(redisId), "the dead one was removed and a new one started");
        assertEquals("running", redisNow.get(0).getState());
    }

    @Test
    void bootstrapWithAnImageThatCannotBeHadFailsClearly() {
        DockerHarness.Run run = bootstrap("q" + H.app, FreePort.find(), H.images.repo + ":no-redis-here");
        assertEquals(ExitCode.IMAGE_UNAVAILABLE, run.exit(), run.all());
        assertTrue(run.err().contains("cannot be pulled"), run.err());
    }
}
