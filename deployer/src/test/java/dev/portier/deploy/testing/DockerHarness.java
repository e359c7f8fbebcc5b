package dev.portier.deploy.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.docker.Labels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the deployer tests run against: the real Docker engine, the run's test images, a real
 * redis-server (flushed before each test), a fresh app name per test, and the CLI run in-process.
 * Containers are removed after each test, even a failed one.
 */
public final class DockerHarness implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    public final RedisServerExtension redis = new RedisServerExtension();
    public DockerClient docker;
    public TestImages images;
    /** Unique per test: containers and labels never collide between tests or runs. */
    public String app;
    public Path logDir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        redis.beforeAll(context);
        docker = DockerConnection.open(null);
        images = TestImages.get(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            images.removeContainers();
            DockerConnection.closeQuietly(docker);
        } finally {
            redis.afterAll(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        redis.flushAll();
        app = "t" + UUID.randomUUID().toString().substring(0, 8);
        logDir = Files.createTempDirectory("portier-logs-");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        images.removeContainers();
        // a dead container leaves files owned by root in its log dir; they are temp files
        TestImages.deleteTree(logDir);
    }

    /** One CLI run: exit code and what it printed. */
    public record Run(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /** The CLI arguments with --redis and --app of this test prepended. */
    public List<String> withGlobals(List<String> args) {
        List<String> full = new ArrayList<>(List.of("--redis", redis.driverUrl(), "--app", app));
        full.addAll(args);
        return full;
    }

    /** Runs the CLI with --redis and --app of this test prepended. */
    public Run cli(String... args) {
        List<String> full = withGlobals(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PortierDeployer.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(full.toArray(new String[0]));
        Run run = new Run(code, out.toString(), err.toString());
        System.out.println("$ portier-deployer " + String.join(" ", full) + "\n" + run.out() + run.err() + "-> exit " + code);
        return run;
    }

    /** The usual deploy arguments for a fast test: published on 127.0.0.1, 200 ms health checks. */
    public List<String> deployArgs(String image, String frontend, String... extra) {
        List<String> a = new ArrayList<>(List.of("deploy", "--image", image, "--frontend", frontend,
                "--backend-address", "127.0.0.1", "--health-interval", "200ms", "--health-deadline", "3s",
                "--log-dir", logDir.toString(), "--stop-timeout", "0s"));
        a.addAll(List.of(extra));
        return a;
    }

    public Run deploy(String image, String frontend, String... extra) {
        return cli(deployArgs(image, frontend, extra).toArray(new String[0]));
    }

    /** Our web containers of this test's app, as Docker lists them. */
    /** This test's containers of one version label. */
    public List<Container> containers(String version) {
        return containers().stream().filter(c -> version.equals(c.getLabels().get(Labels.VERSION))).toList();
    }

    public List<Container> containers() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.APP, app)).exec();
    }

    public List<String> list(String frontend) {
        return redis.sync().lrange("frontend:" + frontend, 0, -1);
    }
}
