package dev.portier.deploy.console;

import java.util.List;

/** A failure that ends a command with a specific exit code and, when a container was involved, its last log lines. */
public final class DeployFailure extends Exception {

    private final int exitCode;
    private final List<String> logTail;

    public DeployFailure(int exitCode, String message) {
        this(exitCode, message, List.of(), null);
    }

    public DeployFailure(int exitCode, String message, Throwable cause) {
        this(exitCode, message, List.of(), cause);
    }

    private DeployFailure(int exitCode, String message, List<String> logTail, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.logTail = List.copyOf(logTail);
    }

    /** The same failure carrying the container's last log lines. */
    public DeployFailure withLogTail(List<String> lines) {
        return new DeployFailure(exitCode, getMessage(), lines, getCause());
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> logTail() {
        return logTail;
    }
}
