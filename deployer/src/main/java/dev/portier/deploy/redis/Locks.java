package dev.portier.deploy.redis;

import dev.portier.common.DeployLock;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import java.time.Duration;

/** Takes a frontend's deploy lock for a job, turning a refusal into exit code 3 naming the holder. */
public final class Locks {

    private Locks() {
    }

    /** The lock, renewed until closed; exit code 3 naming the holder when someone else has it. */
    public static DeployLock acquire(Routes routes, String machine, String frontend, String what, Duration ttl) throws DeployFailure {
        try {
            return DeployLock.acquire(routes.sync(), routes.keys(), frontend, LockOwner.describe(what, machine), ttl);
        } catch (DeployLock.HeldException e) {
            throw new DeployFailure(ExitCode.LOCK_HELD, "another deploy is running for frontend " + frontend + ": " + e.getMessage());
        }
    }
}
