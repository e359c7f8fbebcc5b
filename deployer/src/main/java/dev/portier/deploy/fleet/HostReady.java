package dev.portier.deploy.fleet;

import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.rollout.GoLive;
import dev.portier.deploy.rollout.HealthCheck;
import java.time.Duration;
import java.util.concurrent.Callable;

/** One host's part of a fleet rollback or repair: its kept container restarted if stopped, addressed and health-checked. */
record HostReady(Engine engine, AppContainer container, GoLive.Checks checks) implements Callable<HostContainer> {

    @Override
    public HostContainer call() throws DeployFailure {
        ContainerLauncher launcher = new ContainerLauncher(engine.docker(), engine.console());
        if (!container.running()) {
            launcher.start(container.id(), container.name());
        }
        BackendUrl backend = launcher.awaitAddress(container.id(), container.port(), container.addressing(), Duration.ofSeconds(10));
        engine.console().step("health-checking %s (%s, version %s)", backend, container.name(), container.version());
        new HealthCheck(checks.healthInterval(), checks.healthDeadline(), engine.console())
                .await(backend, container.healthPath(), () -> launcher.exitReason(container.id()));
        return new HostContainer(engine, container.id(), container.name(), backend);
    }
}
