package dev.portier.deploy.cli;

import dev.portier.deploy.docker.BackendAddressing;
import dev.portier.deploy.docker.ContainerOptions;
import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.docker.LaunchSpec;
import dev.portier.deploy.session.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a new web container is started and reached; shared by deploy and watch. */
public final class LaunchOptions {

    @Option(names = "--frontend", required = true, description = "Frontend host whose list is switched, e.g. www.example.com or '*'.")
    String frontend;

    @Option(names = "--port", description = "Container port the app listens on (default: the image's single exposed port).")
    Integer port;

    @Option(names = {"-e", "--env"}, description = "KEY=VALUE for the container (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, description = "HOST:CONTAINER[:ro] bind mount (repeatable).")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--log-dir", description = "Host directory mounted at /logs (default: /logs/<app>).")
    Path logDir;

    @Option(names = "--no-log-dir", description = "Mount no log directory.")
    boolean noLogDir;

    @Option(names = "--hostname", description = "Container hostname (default: this host's name, as the old script did).")
    String hostname;

    @Option(names = "--backend-address", defaultValue = BackendAddressing.CONTAINER_IP,
            description = "How the proxy reaches the container: 'container-ip' (bridge IP and container port) "
                    + "or a host address to publish a random port on, e.g. 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    String backendAddress;

    @Option(names = "--network", description = "Docker network to attach the container to (default: Docker's bridge).")
    String network;

    @Option(names = "--pull-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up a pull after this long (default: ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    @Option(names = "--publish", paramLabel = "NAME=PORT[@ADDR[:HOSTPORT]]",
            description = "Also publish this container port, for a profiler or JMX, on ADDR (default 127.0.0.1) and HOSTPORT "
                    + "(default: one Docker chooses; status shows it), e.g. yourkit=10001 or jmx=9010@10.0.0.5 (repeatable).")
    List<String> publish = new ArrayList<>();

    @Option(names = "--memory", description = "Memory limit, e.g. 512m or 2g (default: none).")
    String memory;

    @Option(names = "--cpus", description = "CPU limit, e.g. 1.5 (default: none).")
    Double cpus;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Label for the container (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--add-host", paramLabel = "NAME:IP", description = "Entry for the container's /etc/hosts (repeatable).")
    List<String> addHosts = new ArrayList<>();

    /** The container these options describe, for {@code image} at {@code version}; IllegalArgumentException for a malformed option. */
    LaunchSpec spec(String app, ImageRef image, String version, String healthPath) {
        Path dir = noLogDir ? null : logDir != null ? logDir : Path.of("/logs", app);
        return new LaunchSpec(app, frontend, image, version, port, healthPath, env, volumes, dir,
                hostname != null ? hostname : Session.machineName(), BackendAddressing.parse(backendAddress, network), options());
    }

    /** IllegalArgumentException naming the option when one is malformed. */
    private ContainerOptions options() {
        return ContainerOptions.parse(publish, memory, cpus, labels, addHosts);
    }
}
