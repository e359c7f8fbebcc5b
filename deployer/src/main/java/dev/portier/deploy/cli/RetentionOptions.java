package dev.portier.deploy.cli;

import dev.portier.deploy.rollout.Retention;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How many old containers are kept and how the others go; shared by deploy, watch and prune. */
public final class RetentionOptions {

    @Option(names = "--keep", defaultValue = "3",
            description = "Old containers kept for rollback, those that served most recently (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--stop-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Grace period when stopping a retired container (default: ${DEFAULT-VALUE}).")
    Duration stopTimeout;

    @Option(names = "--keep-images", description = "Do not remove images that retired containers used.")
    boolean keepImages;

    Retention retention() {
        return new Retention(keep, stopTimeout, !keepImages);
    }
}
