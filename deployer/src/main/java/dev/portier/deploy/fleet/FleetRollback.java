package dev.portier.deploy.fleet;

import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.rollout.RollbackSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the previous version (or a named one) back live on every host at once: each host's kept
 * container of that version restarted if stopped and health-checked, then all promoted in one
 * Redis step. A host without such a container, or one that does not answer, fails the rollback
 * naming it; nothing is promoted then.
 */
public record FleetRollback(FleetSession fleet, RollbackSettings settings) {

    public FleetResult run() throws DeployFailure {
        long start = System.nanoTime();
        FleetEvents events = new FleetEvents(fleet, "rollback", settings.app(), settings.frontend(), null, settings.target());
        try {
            FleetResult r = rollback(start);
            events.success(r);
            fleet.console().step("rolled back %s to %s on %d hosts in %.1f s: %s", settings.frontend(), r.version(),
                    r.containers().size(), r.took().toMillis() / 1000.0, r.currentList());
            return r;
        } catch (DeployFailure | RuntimeException e) {
            DeployFailure f = Failures.settle(e);
            events.failure(f, System.nanoTime() - start);
            throw f;
        }
    }

    private FleetResult rollback(long start) throws DeployFailure {
        Console console = fleet.console();
        List<Engine> engines = fleet.all();
        try (DeployLock lock = Locks.acquire(fleet.routes(), fleet.machine(), settings.frontend(),
                "fleet rollback" + (settings.target() == null ? "" : " to " + settings.target()), settings.lockTtl())) {
            FleetHistory history = FleetHistory.read(fleet, engines, settings.app(), settings.frontend());
            String version = target(history);
            List<HostContainer> kept = new ArrayList<>();
            for (FleetHistory.HostView h : history.hosts()) {
                AppContainer c = FleetHistory.containerOf(h, version, history).orElseThrow(() -> new DeployFailure(ExitCode.NOT_FOUND,
                        "host " + h.engine().name() + " keeps no container of version " + version + ": deploy it instead; nothing changed"));
                kept.add(new HostContainer(h.engine(), c.id(), c.name(), null));
            }
            console.step("rollback %s: live %s, target %s on every host: %s", settings.frontend(),
                    history.liveVersion().orElse("none or mixed"), version, kept.stream().map(c -> c.engine().name() + " " + c.name()).toList());
            List<HostContainer> ready = HostTasks.run(engines, 0, e -> {
                HostContainer c = kept.stream().filter(k -> k.engine() == e).findFirst().orElseThrow();
                AppContainer container = history.hosts().stream().filter(h -> h.engine() == e).findFirst().orElseThrow()
                        .containers().stream().filter(x -> x.id().equals(c.id())).findFirst().orElseThrow();
                return new HostReady(e, container, settings.checks());
            });
            HostChecks.stillRunning(ready);
            FrontendWriter.Promotion p = new FleetPromotion(fleet, settings.checks()).promote(settings.frontend(), ready, lock);
            return new FleetResult(version, ready, p.previous(), p.current(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private String target(FleetHistory history) throws DeployFailure {
        String t = settings.target();
        if (t != null) {
            for (FleetHistory.HostView h : history.hosts()) {
                for (AppContainer c : h.containers()) {
                    if (t.equals(c.version()) || t.equals(c.name())) {
                        if (history.liveVersion().map(c.version()::equals).orElse(false)) {
                            throw new DeployFailure(ExitCode.NOT_FOUND, t + " is already live on every host");
                        }
                        return c.version();
                    }
                }
            }
            throw new DeployFailure(ExitCode.NOT_FOUND, "no host keeps a container of app " + settings.app() + " for frontend "
                    + settings.frontend() + " matching '" + t + "'");
        }
        List<String> before = history.servedBefore();
        if (before.isEmpty()) {
            throw new DeployFailure(ExitCode.NOT_FOUND, "nothing to roll back to: no version of app " + settings.app()
                    + " served frontend " + settings.frontend() + " before the live one");
        }
        return before.get(0);
    }
}
