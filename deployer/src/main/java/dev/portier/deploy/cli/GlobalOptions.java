package dev.portier.deploy.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The options every command takes, before or after its name: Redis, Docker, the app. */
public final class GlobalOptions {

    /** The name the root command mixes these options in under; {@link Invocation} finds them by it. */
    public static final String MIXIN_NAME = "global";

    @Option(names = "--redis", scope = ScopeType.INHERIT, defaultValue = "${env:REDIS_URL:-redis://127.0.0.1:6379}",
            description = {"Hipache driver URL (env REDIS_URL), written", "  redis://:password@host:port/db#prefix",
                    "default:", "  ${DEFAULT-VALUE}"})
    String redis;

    @Option(names = "--docker-host", scope = ScopeType.INHERIT, defaultValue = "${env:DOCKER_HOST}",
            description = {"Docker engine (env DOCKER_HOST; default: the unix socket), e.g.", "  unix:///var/run/docker.sock",
                    "  tcp://host:2375", "repeated: a fleet, one version on every engine (containers reached at each URL's host)"})
    List<String> dockerHosts = new ArrayList<>();

    @Option(names = "--hosts", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "A fleet's engines in a YAML/JSON file: name, docker URL, the address their containers are reached at, TLS.")
    Path hostsFile;

    @Option(names = "--app", scope = ScopeType.INHERIT, defaultValue = "${env:PORTIER_APP:-web}",
            description = "Application name; containers are labelled and named after it (env PORTIER_APP; default: ${DEFAULT-VALUE}).")
    String app;
}
