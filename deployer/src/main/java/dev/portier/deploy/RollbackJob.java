package dev.portier.deploy;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.common.Frontend;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Puts a kept container back live: the previous one (deployed just before the live one) or a
 * named version or container; restarted if stopped, health-checked, promoted like a deploy.
 * No pull, no new container: seconds.
 */
public final class RollbackJob {

    /**
     * @param target version label, container name or id prefix; null for the previous one
     */
    public record Settings(String app, String frontend, String target, Duration healthInterval, Duration healthDeadline,
                           URI proxyUrl, Duration confirmDeadline, Duration lockTtl) {
    }

    private final Session session;
    private final Settings settings;

    public RollbackJob(Session session, Settings settings) {
        this.session = session;
        this.settings = settings;
    }

    public DeployResult run() throws DeployFailure {
        long start = System.nanoTime();
        AppContainer[] chosen = {null};
        BackendUrl[] backend = {null};
        try {
            DeployResult r = rollback(start, chosen, backend);
            notify(DeployEvent.SUCCESS, start, chosen[0], backend[0], null);
            session.console().step("rolled back %s to %s (%s) at %s in %.1f s", settings.frontend(), r.version(),
                    r.containerName(), r.backend(), r.took().toMillis() / 1000.0);
            return r;
        } catch (DeployFailure f) {
            notify(DeployEvent.FAILURE, start, chosen[0], backend[0], f.getMessage());
            throw f;
        } catch (RuntimeException e) {
            DeployFailure f = Failures.from(e);
            notify(DeployEvent.FAILURE, start, chosen[0], backend[0], f.getMessage());
            throw f;
        }
    }

    private DeployResult rollback(long start, AppContainer[] chosen, BackendUrl[] backend) throws DeployFailure {
        Console console = session.console();
        try (DeployLock lock = Locks.acquire(session, settings.frontend(),
                "rollback" + (settings.target() == null ? "" : " to " + settings.target()), settings.lockTtl())) {
            List<AppContainer> containers = new AppContainers(session.docker()).of(settings.app(), settings.frontend());
            Frontend list = session.routes().frontend(settings.frontend());
            Optional<AppContainer> live = AppContainers.live(list, containers);
            AppContainer target = choose(containers, live.orElse(null));
            chosen[0] = target;
            console.step("rollback %s: live %s, target %s (version %s, deployed %s, %s)", settings.frontend(),
                    live.map(c -> c.name() + " (version " + c.version() + ")").orElse("none"),
                    target.name(), target.version(), target.deployedAt(), target.state());
            ContainerLauncher launcher = new ContainerLauncher(session.docker(), console);
            if (!target.running()) {
                launcher.start(target.id(), target.name());
            }
            backend[0] = launcher.awaitAddress(target.id(), target.port(), target.addressing(), Duration.ofSeconds(10));
            new HealthCheck(settings.healthInterval(), settings.healthDeadline(), console)
                    .await(backend[0], target.healthPath(), () -> launcher.exitReason(target.id()));
            FrontendWriter.Promotion p = new Promoter(session).promote(settings.frontend(), backend[0], lock,
                    settings.proxyUrl(), settings.confirmDeadline());
            return new DeployResult(target.id(), target.name(), target.version(), backend[0], p.previous(), p.current(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private AppContainer choose(List<AppContainer> containers, AppContainer live) throws DeployFailure {
        String t = settings.target();
        if (t != null) {
            for (AppContainer c : containers) {
                if (live != null && c.id().equals(live.id())) {
                    continue;
                }
                if (t.equals(c.version()) || t.equals(c.name()) || (t.length() >= 4 && c.id().startsWith(t))) {
                    return c;
                }
            }
            if (live != null && (t.equals(live.version()) || t.equals(live.name()) || live.id().startsWith(t))) {
                throw new DeployFailure(ExitCode.NOT_FOUND, t + " is already live (" + live.name() + ")");
            }
            throw new DeployFailure(ExitCode.NOT_FOUND, "no kept container of app " + settings.app() + " for frontend "
                    + settings.frontend() + " matches '" + t + "' (kept: " + describe(containers) + ")");
        }
        for (AppContainer c : containers) {
            if (live == null || (!c.id().equals(live.id()) && c.deployedAt().isBefore(live.deployedAt()))) {
                return c;
            }
        }
        throw new DeployFailure(ExitCode.NOT_FOUND, "nothing to roll back to: no container of app " + settings.app()
                + " for frontend " + settings.frontend() + " older than the live one (kept: " + describe(containers) + ")");
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

    private void notify(String status, long start, AppContainer c, BackendUrl backend, String error) {
        session.webhooks().send(new DeployEvent(session.machine(), settings.app(), "rollback", settings.frontend(),
                c == null ? null : c.image(), c == null ? settings.target() : c.version(), c == null ? null : c.name(),
                backend == null ? null : backend.raw(), status, Math.round((System.nanoTime() - start) / 1e6) / 1000.0, error));
    }
}
