package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.console.Pause;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.history.DeployHistory;
import dev.portier.deploy.history.DeployRecord;
import dev.portier.deploy.redis.Canaries;
import dev.portier.deploy.redis.RolledBackVersions;
import dev.portier.deploy.session.Session;
import dev.portier.deploy.traffic.BackendFigures;
import dev.portier.deploy.traffic.TrafficSnapshot;
import java.time.Duration;
import java.util.List;

/**
 * The part of a deploy that watches real traffic. Before the promotion: the canary (a share of
 * the requests for a while, judged against the live version over the same minutes; promoted, or
 * taken away) and the reference for the watch after (the previous version's figures over the
 * last watch length). After the promotion: the watch, and a rollback to the kept previous
 * container when the new version regresses. A version taken away by either is recorded in
 * {@code rolledback:<host>}.
 */
final class SafeRollout {

    /**
     * Between taking a version out of the routes and removing its container: the proxies follow
     * Redis within milliseconds, and requests already sent to it get this long to finish.
     */
    static final Duration DRAIN = Duration.ofSeconds(2);

    /** The command the deploy history names for what the deployer took away by itself. */
    static final String AUTO_ROLLBACK = "auto-rollback";

    private final Session session;
    private final DeploySettings settings;
    private final Safety safety;
    private final TrafficWatch watch;
    private final Attempt attempt;
    private final String container;
    private BackendFigures reference = BackendFigures.NONE;
    private AppContainer previous;

    SafeRollout(Session session, DeploySettings settings, Attempt attempt, String container) {
        this.session = session;
        this.attempt = attempt;
        this.container = container;
        this.settings = settings;
        this.safety = settings.safety();
        this.watch = new TrafficWatch(safety, session.console());
    }

    /** The gate between the health check and the promotion: the canary, then the reference for the watch after. */
    void beforePromotion(BackendUrl backend, DeployLock lock) throws DeployFailure {
        if (!safety.canary() && !safety.watchesAfter()) {
            return;
        }
        Frontend list = session.routes().frontend(settings.frontend());
        List<String> live = list == null ? List.of() : list.rawBackends();
        if (safety.canary()) {
            canary(backend, live, lock);
        }
        if (safety.watchesAfter()) {
            previous = ServingHistory.read(session, settings.app(), settings.frontend()).live().orElse(null);
            TrafficSnapshot s = watch.readOnce(settings.frontend(), safety.watchAfter());
            s.failures().forEach(f -> session.console().warn("proxy admin did not answer: %s", f));
            reference = s.of(live);
            session.console().step("reference for the watch after the promotion: %s over the last %d s: %s",
                    previous == null ? "the live list" : previous.name() + " (version " + previous.version() + ")", s.windowSeconds(),
                    reference.describe());
        }
    }

    private void canary(BackendUrl backend, List<String> live, DeployLock lock) throws DeployFailure {
        Console console = session.console();
        if (live.isEmpty()) {
            console.warn("%s has no live version to compare a canary with: promoting without one", settings.frontend());
            return;
        }
        Canaries canaries = new Canaries(session.routes());
        canaries.put(settings.frontend(), backend, safety.canaryPercent(), lock);
        console.step("canary %s gets %d %% of %s for %d s, compared with %s through %d proxy admin(s)", backend,
                safety.canaryPercent(), settings.frontend(), safety.canaryFor().toSeconds(), live, safety.proxyAdmins().size());
        CanaryVerdict.Verdict v;
        try {
            v = watch.run("canary", settings.frontend(), safety.canaryFor(),
                    s -> new TrafficWatch.Pair(s.of(backend.raw()), s.of(live)));
        } catch (DeployFailure | RuntimeException e) {
            takeCanaryAway(canaries, backend);
            throw e;
        }
        if (v.outcome() == CanaryVerdict.Outcome.PASS) {
            console.step("canary passed: promoting %s (the canary ends in the same step)", backend);
            return;
        }
        takeCanaryAway(canaries, backend);
        if (v.outcome() == CanaryVerdict.Outcome.FAIL) {
            String why = "canary rejected: " + v.reason();
            rolledBack(why);
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, why);
        }
        throw new DeployFailure(ExitCode.DEPLOY_FAILED, "canary not promoted, nothing to judge it by: " + v.reason()
                + (v.reason().startsWith(CanaryVerdict.TOO_FEW) ? " (a larger --canary share, a longer --canary-for or a lower --min-requests)" : ""));
    }

    private void takeCanaryAway(Canaries canaries, BackendUrl backend) {
        try {
            if (canaries.removeIfNaming(settings.frontend(), backend.raw())) {
                session.console().step("canary %s removed from %s", backend, settings.frontend());
            }
        } catch (RuntimeException e) {
            session.console().error("could not remove the canary %s of %s: %s; remove it with redis-cli DEL %s", backend,
                    settings.frontend(), Failures.rootMessage(e), session.routes().keys().canary(settings.frontend()));
        }
        drain();
    }

    /** After the promotion: watches the new version and rolls back to the kept previous container on a regression. */
    void afterPromotion(BackendUrl backend, DeployLock lock) throws DeployFailure {
        if (!safety.watchesAfter()) {
            return;
        }
        session.console().step("watching %s for %d s after the promotion", backend, safety.watchAfter().toSeconds());
        CanaryVerdict.Verdict v = watch.run("watch after the promotion", settings.frontend(), safety.watchAfter(),
                s -> new TrafficWatch.Pair(s.of(backend.raw()), reference));
        switch (v.outcome()) {
            case FAIL -> rollBack(v, lock);
            case INCONCLUSIVE -> session.console().step("kept %s, too little traffic to judge it: %s", settings.version(), v.reason());
            default -> session.console().step("%s held for %d s after the promotion", settings.version(), safety.watchAfter().toSeconds());
        }
    }

    private void rollBack(CanaryVerdict.Verdict v, DeployLock lock) throws DeployFailure {
        String why = "regression after the promotion: " + v.reason();
        session.console().error("%s", why);
        if (previous == null) {
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, why + "; no kept previous container to roll back to, "
                    + settings.version() + " stays live");
        }
        try {
            new RollbackJob(session, settings.rollbackTo(previous.name())).runHolding(lock, AUTO_ROLLBACK);
        } catch (DeployFailure f) {
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, why + "; the rollback to " + previous.name() + " failed too ("
                    + f.getMessage() + "), " + settings.version() + " stays live", f);
        }
        rolledBack(why);
        drain();
        throw new DeployFailure(ExitCode.DEPLOY_FAILED, why + "; rolled back to " + previous.version() + " (" + previous.name() + ")");
    }

    /** The one place a version taken away by the deployer itself is recorded: rolledback:<host> and the deploy history. */
    private void rolledBack(String reason) {
        try {
            new RolledBackVersions(session.routes()).record(settings.frontend(), settings.version());
            session.console().step("recorded %s in %s: watch mode deploys it again only once the wanted version changes",
                    settings.version(), session.routes().keys().rolledBack(settings.frontend()));
        } catch (RuntimeException e) {
            session.console().warn("could not record the rolled-back version: %s", Failures.rootMessage(e));
        }
        try {
            new DeployHistory(session.routes().sync(), session.routes().keys()).record(new DeployRecord(System.currentTimeMillis(),
                    settings.frontend(), settings.app(), settings.version(), settings.image().toString(), container,
                    DeployHistory.operator(session.machine()), AUTO_ROLLBACK, DeployRecord.ROLLED_BACK, attempt.elapsedNanos() / 1_000_000, reason));
        } catch (RuntimeException e) {
            session.console().warn("deploy history not written: %s", Failures.rootMessage(e));
        }
    }

    private void drain() {
        try {
            Pause.of(DRAIN, "while draining");
        } catch (DeployFailure interrupted) {
            // the clean-up goes on; the command still ends as interrupted
            Thread.currentThread().interrupt();
        }
    }
}
