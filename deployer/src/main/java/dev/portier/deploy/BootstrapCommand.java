package dev.portier.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bootstrap}: make sure Redis and the proxy run as containers; safe to run again and again. */
@Command(name = "bootstrap", mixinStandardHelpOptions = false,
        description = "Start the Redis and proxy containers when they are not running, and register the catch-all frontend; idempotent.")
public final class BootstrapCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--instance", defaultValue = "portier",
            description = "Container name prefix and label scope: <instance>-redis, <instance>-proxy (default: ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--redis-image", defaultValue = "redis:7", description = "Redis image (default: ${DEFAULT-VALUE}).")
    String redisImage;

    @Option(names = "--proxy-image", defaultValue = "portier/proxy:latest", description = "Proxy image (default: ${DEFAULT-VALUE}).")
    String proxyImage;

    @Option(names = "--redis-bind", defaultValue = "127.0.0.1", description = "Host address Redis is published on (default: ${DEFAULT-VALUE}).")
    String redisBind;

    @Option(names = "--redis-port", defaultValue = "6379", description = "Host port Redis is published on (default: ${DEFAULT-VALUE}).")
    int redisPort;

    @Option(names = "--log-root", defaultValue = "/logs", description = "Each service logs under <log-root>/<service> (default: ${DEFAULT-VALUE}).")
    Path logRoot;

    @Option(names = "--proxy-env", description = "KEY=VALUE for the proxy container (repeatable; default REDIS_URL=redis://127.0.0.1:<redis-port>).")
    List<String> proxyEnv = new ArrayList<>();

    @Option(names = "--proxy-arg", description = "Argument passed to the proxy image's entry point (repeatable).")
    List<String> proxyArgs = new ArrayList<>();

    @Option(names = "--frontend", defaultValue = "*", description = "Frontend registered with identifier 'default' when absent (default: ${DEFAULT-VALUE}).")
    String frontend;

    @Option(names = "--ready-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long Redis may take to answer after start (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = "--pull-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up a pull after this long (default: ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    @Override
    public Integer call() throws DeployFailure {
        List<String> env = new ArrayList<>(proxyEnv);
        if (env.stream().noneMatch(e -> e.startsWith("REDIS_URL="))) {
            env.add("REDIS_URL=redis://127.0.0.1:" + redisPort);
        }
        BootstrapJob job = new BootstrapJob(instance, redisImage, proxyImage, redisBind, redisPort, logRoot, env, proxyArgs,
                frontend, pullTimeout);
        Console console = global.console();
        // Redis may be the very container we are about to start: open Docker alone first
        var docker = DockerConnection.open(global.dockerHost);
        try {
            job.startContainers(docker, console);
        } finally {
            DockerConnection.closeQuietly(docker);
        }
        try (Session session = openSessionWaiting(console)) {
            job.register(session);
        }
        return ExitCode.OK;
    }

    private Session openSessionWaiting(Console console) throws DeployFailure {
        long end = System.nanoTime() + readyTimeout.toNanos();
        while (true) {
            try {
                return global.openSession(spec, Webhooks.none(console));
            } catch (DeployFailure f) {
                if (f.exitCode() != ExitCode.REDIS_UNAVAILABLE || System.nanoTime() > end) {
                    throw f;
                }
                console.step("waiting for Redis at %s", global.redisUrl(spec));
                ContainerLauncher.pause(Duration.ofMillis(500));
            }
        }
    }
}
