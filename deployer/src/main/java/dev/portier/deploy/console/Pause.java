package dev.portier.deploy.console;

import java.time.Duration;

/** A wait between attempts that an interruption (SIGTERM, a stopping watch) ends with exit code {@link ExitCode#INTERRUPTED}. */
public final class Pause {

    private Pause() {
    }

    /** Waits {@code d}; {@code during} names what was waited for, should it be interrupted. */
    public static void of(Duration d, String during) throws DeployFailure {
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            throw interrupted(during);
        }
    }

    /**
     * The failure for an interruption. The flag is cleared, not restored: the command ends through
     * its own clean-up (container removed, lock released), whose Redis and Docker calls an
     * interrupted thread would see fail at once.
     */
    public static DeployFailure interrupted(String what) {
        Thread.interrupted();
        return new DeployFailure(ExitCode.INTERRUPTED, what);
    }
}
