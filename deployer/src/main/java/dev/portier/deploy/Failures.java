package dev.portier.deploy;

import io.lettuce.core.RedisException;

/** Maps an unexpected runtime error to the exit code of the system that raised it. */
final class Failures {

    private Failures() {
    }

    static DeployFailure from(RuntimeException e) {
        if (e instanceof RedisException) {
            return new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "Redis: " + DockerConnection.rootMessage(e), e);
        }
        if (e instanceof com.github.dockerjava.api.exception.DockerException
                || e.getClass().getName().startsWith("com.github.dockerjava")) {
            return new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "Docker: " + DockerConnection.rootMessage(e), e);
        }
        return new DeployFailure(ExitCode.DEPLOY_FAILED, e.getClass().getSimpleName() + ": " + DockerConnection.rootMessage(e), e);
    }
}
