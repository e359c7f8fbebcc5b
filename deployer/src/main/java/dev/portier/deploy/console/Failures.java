package dev.portier.deploy.console;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;

/** Maps an unexpected runtime error to the exit code of the system that raised it. */
public final class Failures {

    private Failures() {
    }

    /** The failure for an error no step caught: Redis, Docker, an interruption, or a plain deploy failure. */
    public static DeployFailure from(RuntimeException e) {
        if (e instanceof RedisCommandInterruptedException) {
            return new DeployFailure(ExitCode.INTERRUPTED, "while waiting for Redis", e);
        }
        if (e instanceof RedisException) {
            return new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "Redis: " + rootMessage(e), e);
        }
        if (e.getClass().getName().startsWith("com.github.dockerjava")) {
            return new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "Docker: " + rootMessage(e), e);
        }
        return new DeployFailure(ExitCode.DEPLOY_FAILED, e.getClass().getSimpleName() + ": " + rootMessage(e), e);
    }

    /** The same, for a DeployFailure or any runtime error caught together. */
    public static DeployFailure from(Exception e) {
        if (e instanceof DeployFailure f) {
            return f;
        }
        if (e instanceof RuntimeException r) {
            return from(r);
        }
        return new DeployFailure(ExitCode.DEPLOY_FAILED, String.valueOf(e.getMessage()), e);
    }

    /**
     * The same, for a step that ended while the thread was interrupted (SIGTERM): then it is an
     * interruption, whatever the step made of it. Clears the flag so the clean-up that follows
     * (container removal, lock release) can still talk to Docker and Redis.
     */
    public static DeployFailure settle(Exception e) {
        DeployFailure f = from(e);
        if (Thread.interrupted() && f.exitCode() != ExitCode.INTERRUPTED) {
            return new DeployFailure(ExitCode.INTERRUPTED, "(" + f.getMessage() + ")", f).withLogTail(f.logTail());
        }
        return f;
    }

    /** The innermost cause's message: what actually went wrong, without the wrappers' words. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.trim();
    }
}
