package dev.portier.deploy.cli;

import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.rollout.DeploySettings;
import picocli.CommandLine.Mixin;

/** Everything a deploy is told besides its image: launch, health, confirmation and webhooks, retention, the lock; shared by deploy and watch. */
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
    FleetOptions fleet;

    /** The deploy of {@code image}; {@code version} null means the image's tag. */
    DeploySettings settings(Invocation invocation, ImageRef image, String version) {
        String app = invocation.app();
        return DeploySettings.of(launch.spec(app, image, version != null ? version : image.version(), health.path),
                health.interval, health.deadline, notify.proxyUrl, notify.confirmDeadline, retention.retention(),
                lock.lockTtl, launch.pullTimeout);
    }
}
