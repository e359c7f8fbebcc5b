package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
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

    Promoter(Session session) {
        this.session = session;
    }

    FrontendWriter.Promotion promote(String frontend, BackendUrl backend, String containerId, DeployLock lock,
                                     URI proxyUrl, Duration confirmDeadline) throws DeployFailure {
        FrontendWriter writer = session.routes().writer();
        Instant recordedBefore;
        FrontendWriter.Promotion p;
        try {
            recordedBefore = session.routes().liveTimes(frontend).get(containerId);
            p = writer.promoteHolding(frontend, backend, lock.key(), lock.owner(), containerId, Instant.now().toEpochMilli());
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
