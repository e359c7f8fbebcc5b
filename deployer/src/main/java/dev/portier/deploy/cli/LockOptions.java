package dev.portier.deploy.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The deploy lock's expiry; only on the commands that take the lock (deploy, watch, rollback, prune). */
public final class LockOptions {

    @Option(names = "--lock-ttl", defaultValue = "30s", converter = DurationConverter.class,
            description = "Deploy-lock expiry, renewed while running; frees the lock of a crashed deployer (default: ${DEFAULT-VALUE}).")
    Duration lockTtl;
}
