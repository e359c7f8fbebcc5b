package dev.portier.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One deploy, as the options describe it, validated before anything is touched.
 *
 * @param port           container port, or null to use the image's single exposed port
 * @param proxyUrl       where to confirm the switch, or null to skip confirmation
 * @param lockTtl        deploy-lock expiry; renewed every third of it while the deploy runs
 */
public record DeploySettings(
        String app,
        String frontend,
        ImageRef image,
        String version,
        Integer port,
        String healthPath,
        Duration healthInterval,
        Duration healthDeadline,
        List<String> env,
        List<String> volumes,
        Path logDir,
        String hostname,
        BackendAddressing addressing,
        URI proxyUrl,
        Duration confirmDeadline,
        Retention retention,
        Duration lockTtl,
        Duration pullTimeout) {

    public DeploySettings {
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
    }

    /** The same deploy for another image, as watch mode builds it per wanted version. */
    public DeploySettings withImage(ImageRef newImage, String newVersion) {
        return new DeploySettings(app, frontend, newImage, newVersion, port, healthPath, healthInterval, healthDeadline,
                env, volumes, logDir, hostname, addressing, proxyUrl, confirmDeadline, retention, lockTtl, pullTimeout);
    }
}
