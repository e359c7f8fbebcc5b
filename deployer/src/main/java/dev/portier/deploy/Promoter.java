package dev.portier.deploy;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import io.lettuce.core.RedisCommandExecutionException;
import java.net.URI;
import java.time.Duration;

/**
 * Switches a frontend to a healthy backend in one atomic write (list replaced, dead marks
 * cleared, lock ownership checked), then confirms through the proxy when asked and puts the
 * previous list back if the proxy never follows.
 */
final class Promoter {

    private final Session session;

    Promoter(Session session) {
        this.session = session;
    }

    FrontendWriter.Promotion promote(String frontend, BackendUrl backend, DeployLock lock,
                                     URI proxyUrl, Duration confirmDeadline) throws DeployFailure {
        FrontendWriter writer = session.routes().writer();
        FrontendWriter.Promotion p;
        try {
            p = writer.promoteHolding(frontend, backend, lock.key(), lock.owner());
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).contains(FrontendWriter.LOCK_LOST)) {
                throw new DeployFailure(ExitCode.LOCK_HELD, "not promoted: " + e.getMessage(), e);
            }
            throw e;
        }
        session.console().step("promoted %s: %s -> %s (dead marks cleared)",
                session.routes().keys().frontend(frontend), p.previous().isEmpty() ? "(absent)" : p.previous(), p.current());
        if (proxyUrl != null) {
            try {
                new ProxyConfirmation(proxyUrl, confirmDeadline, session.console()).confirm(frontend, backend);
            } catch (DeployFailure f) {
                boolean restored = writer.restore(p);
                session.console().error("%s", f.getMessage());
                session.console().step(restored ? "previous list restored: %s" : "list changed meanwhile, not restored (now someone else's): %s",
                        p.previous().isEmpty() ? "(absent)" : p.previous());
                throw f;
            }
        }
        return p;
    }
}
