package dev.portier.deploy.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Health-check options shared by deploy, rollback and watch. */
public final class HealthOptions {

    @Option(names = "--health-path", defaultValue = "/health", description = "Path GET must answer 2xx on (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--health-interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time between health checks (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--health-deadline", defaultValue = "5m", converter = DurationConverter.class,
            description = "Give up when not healthy after this long (default: ${DEFAULT-VALUE}).")
    Duration deadline;
}
