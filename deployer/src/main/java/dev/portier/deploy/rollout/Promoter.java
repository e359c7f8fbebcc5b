package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.common.Replication;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.session.Session;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Switches a frontend to a healthy backend in one atomic write (list replaced, dead marks
 * cleared, the container's live time recorded, lock ownership checked), then confirms through the
 * proxy when asked and puts the previous list back if the proxy never follows.
 */
final class Promoter {

    private final Session session;
    private boolean replicated = true;

    Promoter(Session session) {
        this.session = session;
    }

    /** False when no replica confirmed the promotion: a failover could still undo it. */
    boolean replicated() {
        return replicated;
    }

    FrontendWriter.Promotion promote(String frontend, BackendUrl backend, String containerId, DeployLock lock,
                                     URI proxyUrl, Duration confirmDeadline) throws DeployFailure {
        FrontendWriter writer = session.routes().writer();
        Instant recordedBefore;
        FrontendWriter.Promotion p;
        try {
            recordedBefore = session.routes().liveTimes(frontend).get(containerId);
            p = writer.promoteHolding(frontend, backend, lock.key(), lock.owner(), containerId, Instant.now().toEpochMilli());
            Replication.Ack ack = Replication.await(session.routes().sync(), Locks.REPLICA_WAIT);
            if (ack.unconfirmed()) {
                // written to a master that may be on its way out (a failover under way): the script is
                // all-or-nothing and checks the lock, so sending it again, to whichever server is master
                // now, either finds it applied, applies it, or is refused because the lock is gone
                session.console().warn("promotion confirmed by none of %d replica(s) within %d s: promoting again on the current master",
                        ack.replicas(), Locks.REPLICA_WAIT.toSeconds());
                writer.promoteHolding(frontend, backend, lock.key(), lock.owner(), containerId, Instant.now().toEpochMilli());
                replicated = !Replication.await(session.routes().sync(), Locks.REPLICA_WAIT).unconfirmed();
                if (!replicated) {
                    session.console().warn("promotion still confirmed by no replica: it is live on the master, but a failover"
                            + " could undo it; previous containers are kept");
                }
            }
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).contains(FrontendWriter.LOCK_LOST)) {
                throw new DeployFailure(ExitCode.LOCK_HELD, "not promoted: " + e.getMessage(), e);
            }
            throw promotionFailed(frontend, backend, e);
        } catch (RedisCommandInterruptedException e) {
            throw Failures.from(e);
        } catch (RedisException e) {
            throw promotionFailed(frontend, backend, e);
        }
        if (p.identifierWasMissing()) {
            session.console().warn("%s began with a backend URL, not an identifier (made by hand?): written with identifier '%s'",
                    session.routes().keys().frontend(frontend), FrontendWriter.DEFAULT_IDENTIFIER);
        }
        session.console().step("promoted %s: %s -> %s (dead marks cleared)",
                session.routes().keys().frontend(frontend), p.previous().isEmpty() ? "(absent)" : p.previous(), p.current());
        if (proxyUrl != null) {
            try {
                new ProxyConfirmation(proxyUrl, confirmDeadline, session.console()).confirm(frontend, backend);
            } catch (DeployFailure f) {
                boolean restored = writer.restore(p);
                if (restored) {
                    session.routes().restoreLiveTime(frontend, containerId, recordedBefore);
                }
                session.console().step(restored ? "previous list restored: %s" : "list changed meanwhile, not restored (now someone else's): %s",
                        p.previous().isEmpty() ? "(absent)" : p.previous());
                throw f;
            }
        }
        return p;
    }

    private static DeployFailure promotionFailed(String frontend, BackendUrl backend, RedisException e) {
        return new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "promotion of " + backend + " to frontend " + frontend
                + " failed, Redis did not answer it: " + Failures.rootMessage(e), e);
    }
}
