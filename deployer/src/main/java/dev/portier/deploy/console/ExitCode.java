package dev.portier.deploy.console;

/** The exit codes a cron job or CI reads; every failure code leaves the live version as it was. */
public final class ExitCode {
    /** Done: deployed, rolled back, reported, or nothing to do. */
    public static final int OK = 0;
    /** The new container failed (never healthy, exited, no address); the live version is unchanged. */
    public static final int DEPLOY_FAILED = 1;
    /** Bad options or configuration (picocli's usage code), including a port the image does not expose. */
    public static final int USAGE = 2;
    /** Another deploy of this frontend holds the lock; it is named on stderr. */
    public static final int LOCK_HELD = 3;
    /** Docker cannot be reached or refused a request. */
    public static final int DOCKER_UNAVAILABLE = 4;
    /** Redis cannot be reached or refused a request. */
    public static final int REDIS_UNAVAILABLE = 5;
    /** The image is not on this host and cannot be pulled. */
    public static final int IMAGE_UNAVAILABLE = 6;
    /** Promoted, but the proxy never routed to the new backend; the previous list was restored. */
    public static final int NOT_CONFIRMED = 7;
    /** Nothing to roll back to, or the named version/container does not exist. */
    public static final int NOT_FOUND = 8;
    /** Stopped by SIGTERM or SIGINT before it finished; its new container removed and its lock released. */
    public static final int INTERRUPTED = 9;

    private ExitCode() {
    }
}
