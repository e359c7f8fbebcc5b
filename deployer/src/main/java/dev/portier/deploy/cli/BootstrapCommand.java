package dev.portier.deploy.cli;

import com.github.dockerjava.api.DockerClient;
import dev.portier.deploy.bootstrap.BootstrapJob;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Pause;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.session.Session;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bootstrap}: make sure Redis and the proxy run as containers; safe to run again and again. */
@Command(name = "bootstrap",
        description = "Start the Redis and proxy containers when they are not running, and register the catch-all frontend; idempotent.")
public final class BootstrapCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Mixin
    BootstrapOptions options;

    @Option(names = "--frontend", defaultValue = "*", description = "Frontend registered with identifier 'default' when absent (default: ${DEFAULT-VALUE}).")
    String frontend;

    @Option(names = "--pull-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up a pull after this long (default: ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    @Override
    public Integer call() throws DeployFailure {
        run(invocation, options.job(frontend, pullTimeout), options.readyTimeout);
        return ExitCode.OK;
    }

    /** Starts what is not running, waits for Redis, registers the frontend; {@code watch --bootstrap} runs it every tick. */
    static void run(Invocation invocation, BootstrapJob job, Duration readyTimeout) throws DeployFailure {
        Console console = invocation.console();
        // Redis may be the very container we are about to start: open Docker alone first
        DockerClient docker = invocation.openDocker();
        try {
            job.startContainers(docker, console);
        } finally {
            DockerConnection.closeQuietly(docker);
        }
        try (Session session = openSessionWaiting(invocation, console, readyTimeout)) {
            job.register(session);
        }
    }

    private static Session openSessionWaiting(Invocation invocation, Console console, Duration readyTimeout) throws DeployFailure {
        long end = System.nanoTime() + readyTimeout.toNanos();
        while (true) {
            try {
                return invocation.openSession(Webhooks.none(console));
            } catch (DeployFailure f) {
                if (f.exitCode() != ExitCode.REDIS_UNAVAILABLE || System.nanoTime() > end) {
                    throw f;
                }
                console.step("waiting for Redis at %s", invocation.redisUrl());
                Pause.of(Duration.ofMillis(500), "while waiting for Redis");
            }
        }
    }
}
