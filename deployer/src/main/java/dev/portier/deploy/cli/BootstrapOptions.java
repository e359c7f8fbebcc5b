package dev.portier.deploy.cli;

import dev.portier.deploy.bootstrap.BootstrapJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How Redis and the proxy run as containers; shared by {@code bootstrap} and {@code watch --bootstrap}. */
public final class BootstrapOptions {

    /** The image docker/redis.Dockerfile builds: Redis with per-day log files under /logs. */
    public static final String DEFAULT_REDIS_IMAGE = "portier/redis:latest";
    /** The image docker/proxy.Dockerfile builds. */
    public static final String DEFAULT_PROXY_IMAGE = "portier/proxy:latest";

    @Option(names = "--instance", defaultValue = "portier",
            description = "Container name prefix and label scope: <instance>-redis, <instance>-proxy (default: ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--redis-image", defaultValue = DEFAULT_REDIS_IMAGE, description = "Redis image (default: ${DEFAULT-VALUE}).")
    String redisImage;

    @Option(names = "--proxy-image", defaultValue = DEFAULT_PROXY_IMAGE, description = "Proxy image (default: ${DEFAULT-VALUE}).")
    String proxyImage;

    @Option(names = "--redis-bind", defaultValue = "127.0.0.1", description = "Host address Redis is published on (default: ${DEFAULT-VALUE}).")
    String redisBind;

    @Option(names = "--redis-port", defaultValue = "6379", description = "Host port Redis is published on (default: ${DEFAULT-VALUE}).")
    int redisPort;

    @Option(names = "--log-root", defaultValue = "/logs", description = "Each service logs under <log-root>/<service> (default: ${DEFAULT-VALUE}).")
    Path logRoot;

    @Option(names = "--proxy-env", description = {"KEY=VALUE for the proxy container, e.g. PORT=8080 or BIND=127.0.0.1 (repeatable); default:",
                    "  REDIS_URL=redis://127.0.0.1:<redis-port>"})
    List<String> proxyEnv = new ArrayList<>();

    @Option(names = "--proxy-arg", description = "Argument passed to the proxy image's entry point (repeatable).")
    List<String> proxyArgs = new ArrayList<>();

    @Option(names = "--ready-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long Redis may take to answer after start (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    /** The job these options describe, registering {@code frontend} when absent. */
    BootstrapJob job(String frontend, Duration pullTimeout) {
        List<String> env = new ArrayList<>(proxyEnv);
        if (env.stream().noneMatch(e -> e.startsWith("REDIS_URL="))) {
            env.add("REDIS_URL=redis://127.0.0.1:" + redisPort);
        }
        return new BootstrapJob(instance, redisImage, proxyImage, redisBind, redisPort, logRoot, env, proxyArgs, frontend, pullTimeout);
    }
}
