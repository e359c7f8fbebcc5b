package dev.portier.deploy.fleet;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.InternetProtocol;
import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.docker.ImageFetcher;
import dev.portier.deploy.docker.LaunchSpec;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.rollout.HealthCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * One host's part of a fleet deploy: the image checked (pulled when absent), the container started
 * with its port published on the host's address, and health-checked. Every container it starts is
 * handed to {@code started} at once, so the deploy can take it away whatever happens next.
 */
record HostBoot(Engine engine, DeploySettings settings, Consumer<HostContainer> started) implements Callable<HostContainer> {

    private static final Duration ADDRESS_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public HostContainer call() throws DeployFailure {
        Console console = engine.console();
        InspectImageResponse image = new ImageFetcher(engine.docker(), console, settings.pullTimeout()).ensurePresent(settings.image());
        LaunchSpec base = settings.launch().withPort(containerPort(image));
        LaunchSpec spec = new LaunchSpec(base.app(), base.frontend(), base.image(), base.version(), base.port(), base.healthPath(),
                base.env(), base.volumes(), base.logDir(), base.hostname(), engine.addressing(base.addressing().network()));
        ContainerLauncher launcher = new ContainerLauncher(engine.docker(), console);
        ContainerLauncher.Launched c = launcher.launch(spec);
        started.accept(new HostContainer(engine, c.id(), c.name(), null));
        try {
            BackendUrl backend = launcher.awaitAddress(c.id(), spec.port(), spec.addressing(), ADDRESS_TIMEOUT);
            console.step("health-checking %s%s every %d ms for up to %d s", backend, spec.healthPath(),
                    settings.checks().healthInterval().toMillis(), settings.checks().healthDeadline().toSeconds());
            new HealthCheck(settings.checks().healthInterval(), settings.checks().healthDeadline(), console)
                    .await(backend, spec.healthPath(), () -> launcher.exitReason(c.id()));
            return new HostContainer(engine, c.id(), c.name(), backend);
        } catch (DeployFailure f) {
            throw f.exitCode() == ExitCode.DEPLOY_FAILED ? f.withLogTail(launcher.tailLogs(c.id(), 20)) : f;
        }
    }

    private int containerPort(InspectImageResponse image) throws DeployFailure {
        if (settings.launch().port() != null) {
            return settings.launch().port();
        }
        ExposedPort[] exposed = image.getConfig() == null ? null : image.getConfig().getExposedPorts();
        List<Integer> tcp = new ArrayList<>();
        if (exposed != null) {
            Arrays.stream(exposed).filter(p -> p.getProtocol() == InternetProtocol.TCP).forEach(p -> tcp.add(p.getPort()));
        }
        if (tcp.size() == 1) {
            return tcp.get(0);
        }
        throw new DeployFailure(ExitCode.USAGE, tcp.isEmpty()
                ? "image " + settings.image() + " exposes no TCP port: give --port"
                : "image " + settings.image() + " exposes ports " + tcp + ": choose one with --port");
    }
}
