package dev.portier.deploy;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a web container is started with.
 *
 * @param logDir   host directory mounted at {@code /logs}, or null for none
 * @param hostname the container's hostname (the host's by default, as the script did)
 * @param port     the container port the app listens on
 */
public record LaunchSpec(
        String app,
        String frontend,
        ImageRef image,
        String version,
        int port,
        String healthPath,
        List<String> env,
        List<String> volumes,
        Path logDir,
        String hostname,
        BackendAddressing addressing) {

    public LaunchSpec {
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
    }
}
