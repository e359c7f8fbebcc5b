package dev.portier.deploy;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    BootstrapOptions options;

    @Option(names = "--frontend", defaultValue = "*", description = "Frontend registered with identifier 'default' when absent (default: ${DEFAULT-VALUE}).")
    String frontend;

    @Option(names = "--pull-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up a pull after this long (default: ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    @Override
    public Integer call() throws DeployFailure {
        run(global, spec, options.job(frontend, pullTimeout), options.readyTimeout);
        return ExitCode.OK;
    }

    /** Starts what is not running, waits for Redis, registers the frontend; {@code watch --bootstrap} runs it every tick. */
    static void run(PortierDeployer global, CommandSpec spec, BootstrapJob job, Duration readyTimeout) throws DeployFailure {
        Console console = global.console();
        // Redis may be the very container we are about to start: open Docker alone first
        var docker = DockerConnection.open(global.dockerHost);
        try {
            job.startContainers(docker, console);
        } finally {
            DockerConnection.closeQuietly(docker);
        }
        try (Session session = openSessionWaiting(global, spec, console, readyTimeout)) {
            job.register(session);
        }
    }

    private static Session openSessionWaiting(PortierDeployer global, CommandSpec spec, Console console, Duration readyTimeout)
            throws DeployFailure {
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
