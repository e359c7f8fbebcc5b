package dev.portier.deploy.cli;

import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The options every command takes, before or after its name: Redis, Docker, the app, the lock's expiry. */
public final class GlobalOptions {

    /** The name the root command mixes these options in under; {@link Invocation} finds them by it. */
    public static final String MIXIN_NAME = "global";

    @Option(names = "--redis", scope = ScopeType.INHERIT, defaultValue = "${env:REDIS_URL:-redis://127.0.0.1:6379}",
            description = "Hipache driver URL redis://:password@host:port/db#prefix (env REDIS_URL; default: ${DEFAULT-VALUE}).")
    String redis;

    @Option(names = "--docker-host", scope = ScopeType.INHERIT, defaultValue = "${env:DOCKER_HOST}",
            description = "Docker engine, e.g. unix:///var/run/docker.sock or tcp://host:2375 (env DOCKER_HOST; default: the unix socket).")
    String dockerHost;

    @Option(names = "--app", scope = ScopeType.INHERIT, defaultValue = "${env:PORTIER_APP:-web}",
            description = "Application name; containers are labelled and named after it (env PORTIER_APP; default: ${DEFAULT-VALUE}).")
    String app;

    @Option(names = "--lock-ttl", scope = ScopeType.INHERIT, defaultValue = "30s", converter = DurationConverter.class,
            description = "Deploy-lock expiry, renewed while running; frees the lock of a crashed deployer (default: ${DEFAULT-VALUE}).")
    Duration lockTtl;
}
