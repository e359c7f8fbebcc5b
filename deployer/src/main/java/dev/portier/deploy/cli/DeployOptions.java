package dev.portier.deploy.cli;

import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.rollout.Safety;
import dev.portier.deploy.docker.LaunchSpec;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** Everything a deploy is told besides its image: launch, health, confirmation and webhooks, retention, the lock, canary and watch; shared by deploy and watch. */
public final class DeployOptions {

    @Mixin
    LaunchOptions launch;

    @Mixin
    HealthOptions health;

    @Mixin
    NotifyOptions notify;

    @Mixin
    RetentionOptions retention;

    @Mixin
    LockOptions lock;

    @Mixin
    SafetyOptions safety;

    @Mixin
    FleetOptions fleet;

    /** The deploy of {@code image}; {@code version} null means the image's tag. */
    DeploySettings settings(Invocation invocation, ImageRef image, String version) {
        String app = invocation.app();
        LaunchSpec spec;
        try {
            spec = launch.spec(app, image, version != null ? version : image.version(), health.path);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(invocation.command.commandLine(), e.getMessage());
        }
        Safety checks = safety.safety(invocation.command.commandLine());
        if ((checks.canary() || checks.watchesAfter()) && invocation.fleet().isPresent()) {
            // silently deploying without the watch asked for would be worse than refusing
            throw new CommandLine.ParameterException(invocation.command.commandLine(),
                    "--canary and --watch-after judge one host's backends: not available with several engines yet");
        }
        return DeploySettings.of(spec,
                health.interval, health.deadline, notify.proxyUrl, notify.confirmDeadline, retention.retention(),
                lock.lockTtl, launch.pullTimeout).withSafety(checks);
    }
}
