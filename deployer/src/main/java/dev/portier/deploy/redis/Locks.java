package dev.portier.deploy.redis;

import dev.portier.common.DeployLock;
import dev.portier.common.Replication;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import java.time.Duration;

/**
 * Takes a frontend's deploy lock for a job, turning a refusal into exit code 3 naming the holder.
 * With replicas (a Sentinel group) the lock counts only once a replica confirmed it: a lock only
 * the master had would be gone after a failover, and a second deploy could take it.
 */
public final class Locks {

    /** How long to wait for a replica to confirm the lock or a promotion. */
    public static final Duration REPLICA_WAIT = Duration.ofSeconds(5);

    private Locks() {
    }

    /** The lock, renewed until closed; exit code 3 naming the holder when someone else has it. */
    public static DeployLock acquire(Routes routes, String machine, String frontend, String what, Duration ttl) throws DeployFailure {
        DeployLock lock;
        try {
            lock = DeployLock.acquire(routes.sync(), routes.keys(), frontend, LockOwner.describe(what, machine), ttl);
        } catch (DeployLock.HeldException e) {
            throw new DeployFailure(ExitCode.LOCK_HELD, "another deploy is running for frontend " + frontend + ": " + e.getMessage());
        }
        Replication.Ack ack;
        try {
            ack = Replication.await(routes.sync(), REPLICA_WAIT);
        } catch (RuntimeException e) {
            lock.close();
            throw Failures.from(e);
        }
        if (ack.unconfirmed()) {
            lock.close();
            throw new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "deploy lock " + lock.key() + " was confirmed by none of the master's "
                    + ack.replicas() + " replica(s) within " + REPLICA_WAIT.toSeconds() + " s: a failover now would lose it"
                    + " and let a second deploy take it; nothing was started, try again");
        }
        return lock;
    }
}
