package dev.portier.deploy.bootstrap;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.docker.ImageFetcher;
import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.docker.LogDirs;
import dev.portier.deploy.session.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The script's first steps, idempotent: make sure Redis and the proxy run as containers
 * (a stopped one is removed and started afresh), then register the catch-all frontend when absent.
 * The proxy uses host networking so it reaches both published ports and bridge IPs, and Redis on
 * 127.0.0.1.
 *
 * @param instance    names the containers ({@code <instance>-redis}, {@code <instance>-proxy}) and scopes the label search
 * @param redisBind   host address Redis is published on (127.0.0.1: never the world)
 * @param logRoot     {@code /logs}: each service gets {@code <logRoot>/<service>} mounted at /logs
 * @param proxyEnv    KEY=VALUE for the proxy container
 * @param frontend    frontend registered with identifier {@code default} when absent
 */
public record BootstrapJob(String instance, String redisImage, String proxyImage, String redisBind, int redisPort, Path logRoot,
                           List<String> proxyEnv, List<String> proxyArgs, String frontend, Duration pullTimeout) {

    public static final String ROLE_REDIS = "redis";
    public static final String ROLE_PROXY = "proxy";

    /** Starts whichever of Redis and the proxy is not running; returns the names it started (empty when none). */
    public List<String> startContainers(DockerClient docker, Console console) throws DeployFailure {
        List<String> started = new ArrayList<>();
        ensure(docker, console, ROLE_REDIS, redisImage, instance + "-redis", host -> {
            host.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort(redisBind, redisPort), ExposedPort.tcp(6379)));
            return List.of();
        }, started);
        ensure(docker, console, ROLE_PROXY, proxyImage, instance + "-proxy", host -> {
            host.withNetworkMode("host");
            return proxyArgs;
        }, started);
        console.step("containers: %s", started.isEmpty() ? "everything was already running" : "started " + String.join(", ", started));
        return started;
    }

    /** Registers the catch-all frontend when absent, as the script's {@code LPUSH frontend:* default} did, but only once. */
    public boolean register(Session session) {
        boolean created = session.routes().writer().registerIfAbsent(frontend, FrontendWriter.DEFAULT_IDENTIFIER);
        session.console().step(created ? "registered frontend %s with identifier default" : "frontend %s already registered",
                session.routes().keys().frontend(frontend));
        return created;
    }

    private interface HostSetup {
        List<String> apply(HostConfig host);
    }

    private void ensure(DockerClient docker, Console console, String role, String image, String name, HostSetup setup,
                        List<String> started) throws DeployFailure {
        List<Container> existing = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.ROLE, role, Labels.INSTANCE, instance)).exec();
        for (Container c : existing) {
            if ("running".equals(c.getState())) {
                console.step("%s is running (%s, %s), nothing to do", role, c.getNames()[0].replaceFirst("^/", ""), c.getStatus());
                return;
            }
        }
        for (Container c : existing) {
            // the script removed the dead container before starting a new one: same here, by label
            console.step("%s container %s is %s: removing it", role, c.getNames()[0].replaceFirst("^/", ""), c.getState());
            new ContainerLauncher(docker, console).discard(c.getId(), c.getNames()[0]);
        }
        new ImageFetcher(docker, console, pullTimeout).ensurePresent(ImageRef.parse(image));
        Path logs = logRoot.resolve(role);
        LogDirs.prepare(docker, image, logs, console);
        HostConfig host = HostConfig.newHostConfig()
                .withRestartPolicy(RestartPolicy.unlessStoppedRestart())
                .withBinds(Bind.parse(logs + ":/logs"));
        List<String> args = setup.apply(host);
        CreateContainerCmd create = docker.createContainerCmd(image).withName(name)
                .withLabels(Map.of(Labels.ROLE, role, Labels.INSTANCE, instance))
                .withHostConfig(host);
        if (ROLE_REDIS.equals(role)) {
            create.withExposedPorts(ExposedPort.tcp(6379));
        } else {
            create.withEnv(proxyEnv);
        }
        if (!args.isEmpty()) {
            create.withCmd(args);
        }
        String id = create.exec().getId();
        new ContainerLauncher(docker, console).start(id, name);
        console.step("started %s container %s from %s (logs in %s, restart unless-stopped)", role, name, image, logs);
        started.add(name);
    }
}
