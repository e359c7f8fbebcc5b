package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.BackendAddressing;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.session.Session;
import java.net.URI;
import java.time.Duration;

/**
 * The step a deploy and a rollback share once their container runs: wait for its address,
 * health-check it, promote it (list, dead marks and live record in one write, lock checked) and
 * confirm through the proxy.
 */
public final class GoLive {

    private static final Duration ADDRESS_TIMEOUT = Duration.ofSeconds(10);

    /**
     * How a container is judged ready and live.
     *
     * @param proxyUrl where to confirm the switch, or null to skip confirmation
     */
    public record Checks(Duration healthInterval, Duration healthDeadline, URI proxyUrl, Duration confirmDeadline) {
    }

    /** What runs between the health check and the promotion (a canary); it throws to stop the promotion. */
    @FunctionalInterface
    interface Gate {
        Gate NONE = (backend, lock) -> { };

        void beforePromotion(BackendUrl backend, DeployLock lock) throws DeployFailure;
    }

    /** The running container to put live. */
    record Target(String id, String name, int port, BackendAddressing addressing, String healthPath) {
    }

    private final Session session;
    private final Checks checks;

    GoLive(Session session, Checks checks) {
        this.session = session;
        this.checks = checks;
    }

    FrontendWriter.Promotion run(Attempt attempt, String frontend, Target target, DeployLock lock) throws DeployFailure {
        return run(attempt, frontend, target, lock, Gate.NONE);
    }

    FrontendWriter.Promotion run(Attempt attempt, String frontend, Target target, DeployLock lock, Gate gate) throws DeployFailure {
        ContainerLauncher launcher = new ContainerLauncher(session.docker(), session.console());
        BackendUrl backend = launcher.awaitAddress(target.id(), target.port(), target.addressing(), ADDRESS_TIMEOUT);
        attempt.backend(backend);
        session.console().step("health-checking %s%s every %d ms for up to %d s", backend, target.healthPath(),
                checks.healthInterval().toMillis(), checks.healthDeadline().toSeconds());
        new HealthCheck(checks.healthInterval(), checks.healthDeadline(), session.console())
                .await(backend, target.healthPath(), () -> launcher.exitReason(target.id()));
        gate.beforePromotion(backend, lock);
        if (!lock.isHeld()) {
            throw new DeployFailure(ExitCode.LOCK_HELD, "deploy lock " + lock.key() + " was lost while health-checking; not promoted");
        }
        attempt.promotionSent();
        Promoter promoter = new Promoter(session);
        FrontendWriter.Promotion p = promoter.promote(frontend, backend, target.id(), lock, checks.proxyUrl(), checks.confirmDeadline());
        if (!promoter.replicated()) {
            attempt.promotionUnreplicated();
        }
        return p;
    }
}
