package dev.portier.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a new web container is started and reached, and how many old ones are kept; shared by deploy and watch. */
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

    @Option(names = "--keep", defaultValue = "3", description = "Old containers kept running for rollback (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--stop-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Grace period when stopping a retired container (default: ${DEFAULT-VALUE}).")
    Duration stopTimeout;

    @Option(names = "--keep-images", description = "Do not remove images that retired containers used.")
    boolean keepImages;

    @Option(names = "--pull-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up a pull after this long (default: ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    Retention retention() {
        return new Retention(keep, stopTimeout, !keepImages);
    }
}
