package dev.portier.deploy.cli;

import picocli.CommandLine.Option;

/** How a deploy to several engines proceeds; used only when the command names a fleet. */
public final class FleetOptions {

    @Option(names = "--boot-limit", defaultValue = "0", paramLabel = "N",
            description = "With several engines: start and health-check the new version on at most N hosts at a time"
                    + " (default: all at once); promotion still waits for every host.")
    int bootLimit;
}
