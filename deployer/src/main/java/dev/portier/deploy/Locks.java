package dev.portier.deploy;

import dev.portier.common.DeployLock;
import java.time.Duration;

/** Takes a frontend's deploy lock for a job, turning a refusal into exit code 3 naming the holder. */
final class Locks {

    private Locks() {
    }

    static DeployLock acquire(Session session, String frontend, String what, Duration ttl) throws DeployFailure {
        try {
            return DeployLock.acquire(session.routes().sync(), session.routes().keys(), frontend,
                    LockOwner.describe(what, session.machine()), ttl);
        } catch (DeployLock.HeldException e) {
            throw new DeployFailure(ExitCode.LOCK_HELD, "another deploy is running for frontend " + frontend + ": " + e.getMessage());
        }
    }
}
