package dev.portier.deploy.rollout;

import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.docker.LimitRestorer;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.session.Session;
import java.time.Duration;
import java.util.List;

/**
 * Puts a kept container back live: the one that served before the live one, or a named version
 * or container; restarted if stopped, health-checked, promoted like a deploy. No pull, no new
 * container: seconds.
 */
public record RollbackJob(Session session, RollbackSettings settings) {

    public DeployResult run() throws DeployFailure {
        return run("rollback");
    }

    /** The same, named {@code command} in the deploy history (watch mode's rollbacks say {@code watch}). */
    public DeployResult run(String command) throws DeployFailure {
        return runHolding(null, command);
    }

    /** The rollback under a lock the caller already holds (a deploy rolling itself back); null takes the lock. */
    public DeployResult runHolding(DeployLock held, String command) throws DeployFailure {
        Attempt attempt = new Attempt("rollback", command, settings.app(), settings.frontend(), null, settings.target());
        DeployResult r = attempt.conclude(session, () -> held != null ? rollback(attempt, held) : rollback(attempt));
        session.console().step("rolled back %s to %s (%s) at %s in %.1f s", settings.frontend(), r.version(),
                r.containerName(), r.backend(), r.took().toMillis() / 1000.0);
        return r;
    }

    private DeployResult rollback(Attempt attempt) throws DeployFailure {
        try (DeployLock lock = Locks.acquire(session.routes(), session.machine(), settings.frontend(),
                "rollback" + (settings.target() == null ? "" : " to " + settings.target()), settings.lockTtl())) {
            return rollback(attempt, lock);
        }
    }

    private DeployResult rollback(Attempt attempt, DeployLock lock) throws DeployFailure {
        Console console = session.console();
        ServingHistory history = ServingHistory.read(session, settings.app(), settings.frontend());
        AppContainer target = choose(history);
        attempt.target(target.image(), target.version(), target.name());
        console.step("rollback %s: live %s, target %s (version %s, deployed %s, %s)", settings.frontend(),
                history.live().map(c -> c.name() + " (version " + c.version() + ")").orElse("none"),
                target.name(), target.version(), target.deployedAt(), target.state());
        new LimitRestorer(session.docker(), console).restore(target);
        if (!target.running()) {
            new ContainerLauncher(session.docker(), console).start(target.id(), target.name());
        }
        FrontendWriter.Promotion p = new GoLive(session, settings.checks()).run(attempt, settings.frontend(),
                new GoLive.Target(target.id(), target.name(), target.port(), target.addressing(), target.healthPath()), lock);
        return new DeployResult(target.id(), target.name(), target.version(), attempt.backend(), p.previous(), p.current(),
                Duration.ofNanos(attempt.elapsedNanos()));
    }

    private AppContainer choose(ServingHistory history) throws DeployFailure {
        String t = settings.target();
        List<AppContainer> kept = history.all().stream().filter(c -> !history.isLive(c)).toList();
        if (t != null) {
            for (AppContainer c : kept) {
                if (matches(c, t)) {
                    return c;
                }
            }
            if (history.live().isPresent() && matches(history.live().get(), t)) {
                throw new DeployFailure(ExitCode.NOT_FOUND, t + " is already live (" + history.live().get().name() + ")");
            }
            throw new DeployFailure(ExitCode.NOT_FOUND, "no kept container of app " + settings.app() + " for frontend "
                    + settings.frontend() + " matches '" + t + "' (kept: " + describe(kept) + ")");
        }
        List<AppContainer> served = history.servedBefore();
        if (served.isEmpty()) {
            throw new DeployFailure(ExitCode.NOT_FOUND, "nothing to roll back to: no container of app " + settings.app()
                    + " for frontend " + settings.frontend() + " served before the live one (kept: " + describe(kept) + ")");
        }
        return served.get(0);
    }

    private static boolean matches(AppContainer c, String target) {
        return target.equals(c.version()) || target.equals(c.name()) || (target.length() >= 4 && c.id().startsWith(target));
    }

    private static String describe(List<AppContainer> containers) {
        if (containers.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (AppContainer c : containers) {
            b.append(b.length() == 0 ? "" : ", ").append(c.name()).append(" [").append(c.version()).append(']');
        }
        return b.toString();
    }
}
