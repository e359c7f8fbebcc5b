package dev.portier.deploy.docker;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a web container is started with.
 *
 * @param port     the container port the app listens on; null until read from the image's single exposed port
 * @param logDir   host directory mounted at {@code /logs}, or null for none
 * @param hostname the container's hostname (the host's by default, as the script did)
 * @param options  extra ports, limits, labels and hosts
 */
public record LaunchSpec(
        String app,
        String frontend,
        ImageRef image,
        String version,
        Integer port,
        String healthPath,
        List<String> env,
        List<String> volumes,
        Path logDir,
        String hostname,
        BackendAddressing addressing,
        ContainerOptions options) {

    public LaunchSpec {
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
        options = options == null ? ContainerOptions.NONE : options;
    }

    /** A launch without extra ports, limits, labels or hosts. */
    public LaunchSpec(String app, String frontend, ImageRef image, String version, Integer port, String healthPath, List<String> env,
                      List<String> volumes, Path logDir, String hostname, BackendAddressing addressing) {
        this(app, frontend, image, version, port, healthPath, env, volumes, logDir, hostname, addressing, ContainerOptions.NONE);
    }

    /** The same launch on a known container port. */
    public LaunchSpec withPort(int containerPort) {
        return new LaunchSpec(app, frontend, image, version, containerPort, healthPath, env, volumes, logDir, hostname, addressing, options);
    }

    /** The same launch of another image, as watch mode builds it per wanted version. */
    public LaunchSpec withImage(ImageRef newImage, String newVersion) {
        return new LaunchSpec(app, frontend, newImage, newVersion, port, healthPath, env, volumes, logDir, hostname, addressing, options);
    }
}
