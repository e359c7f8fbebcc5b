package dev.portier.deploy.rollout;

import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.docker.LaunchSpec;
import java.net.URI;
import java.time.Duration;

/**
 * One deploy, as the options describe it, validated before anything is touched.
 *
 * @param launch  the container to start; its port null to use the image's single exposed port
 * @param checks  how it is judged healthy and confirmed live
 * @param lockTtl deploy-lock expiry; renewed every third of it while the deploy runs
 * @param safety  canary and watch through the proxies' figures ({@link Safety#NONE}: none)
 */
public record DeploySettings(LaunchSpec launch, GoLive.Checks checks, Retention retention, Duration lockTtl, Duration pullTimeout,
                             Safety safety) {

    /** Builds the settings; {@code proxyUrl} null skips the confirmation through the proxy. */
    public static DeploySettings of(LaunchSpec launch, Duration healthInterval, Duration healthDeadline, URI proxyUrl,
                                    Duration confirmDeadline, Retention retention, Duration lockTtl, Duration pullTimeout) {
        return new DeploySettings(launch, new GoLive.Checks(healthInterval, healthDeadline, proxyUrl, confirmDeadline),
                retention, lockTtl, pullTimeout, Safety.NONE);
    }

    /** The same deploy watching real traffic as {@code s} says. */
    public DeploySettings withSafety(Safety s) {
        return new DeploySettings(launch, checks, retention, lockTtl, pullTimeout, s);
    }

    public String app() {
        return launch.app();
    }

    public String frontend() {
        return launch.frontend();
    }

    public ImageRef image() {
        return launch.image();
    }

    public String version() {
        return launch.version();
    }

    /** The same deploy for another image, as watch mode builds it per wanted version. */
    public DeploySettings withImage(ImageRef newImage, String newVersion) {
        return new DeploySettings(launch.withImage(newImage, newVersion), checks, retention, lockTtl, pullTimeout, safety);
    }

    /** A rollback with the same checks, to {@code target} (null: the one that served before the live one). */
    public RollbackSettings rollbackTo(String target) {
        return new RollbackSettings(app(), frontend(), target, checks, lockTtl);
    }
}
