package dev.portier.deploy.fleet;

import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.rollout.DeploySettings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One version to every engine of the fleet: the lock, then on each host (at most {@code bootLimit}
 * at a time, 0 for all at once) the image, the container and its health check; then, only when
 * every host is healthy and its engine still answers, all new backends go live in one Redis step.
 * Otherwise nothing is promoted anywhere and every new container is removed from every engine
 * that answers (one that does not keeps a container that never served, which the next prune or
 * deploy retires).
 */
public final class FleetDeploy {

    private final FleetSession fleet;
    private final DeploySettings settings;
    private final int bootLimit;
    private Instant began = Instant.EPOCH;

    public FleetDeploy(FleetSession fleet, DeploySettings settings, int bootLimit) {
        this.fleet = fleet;
        this.settings = settings;
        this.bootLimit = bootLimit;
    }


    public FleetResult run() throws DeployFailure {
        long start = System.nanoTime();
        Console console = fleet.console();
        console.step("fleet deploy %s (version %s) of app %s to frontend %s on %d hosts: %s", settings.image(), settings.version(),
                settings.app(), settings.frontend(), fleet.specs().size(), fleet.specs());
        FleetEvents events = new FleetEvents(fleet, "deploy", settings.app(), settings.frontend(), settings.image().toString(),
                settings.version());
        try {
            FleetResult r = deploy(start);
            events.success(r);
            console.step("deployed %s to %d hosts in %.1f s: %s", settings.version(), r.containers().size(), r.took().toMillis() / 1000.0,
                    r.currentList());
            return r;
        } catch (DeployFailure | RuntimeException e) {
            DeployFailure f = Failures.settle(e);
            events.failure(f, System.nanoTime() - start);
            throw f;
        }
    }

    private FleetResult deploy(long start) throws DeployFailure {
        began = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Engine> engines = fleet.all();
        Console console = fleet.console();
        try (DeployLock lock = Locks.acquire(fleet.routes(), fleet.machine(), settings.frontend(),
                "fleet deploy " + settings.image(), settings.lockTtl())) {
            console.step("took deploy lock %s", lock.key());
            ConcurrentLinkedQueue<HostContainer> started = new ConcurrentLinkedQueue<>();
            FleetPromotion promotion = new FleetPromotion(fleet, settings.checks());
            List<HostContainer> generation = List.of();
            FrontendWriter.Promotion p;
            try {
                generation = HostTasks.run(engines, bootLimit, e -> new HostBoot(e, settings, started::add));
                console.step("healthy on every host: %s", generation.stream().map(c -> c.engine().name() + " " + c.backend()).toList());
                HostChecks.stillRunning(generation);
                p = promotion.promote(settings.frontend(), generation, lock);
            } catch (DeployFailure | RuntimeException e) {
                DeployFailure f = Failures.settle(e);
                takeAway(started, generation, promotion.sent(), f);
                throw f;
            }
            for (Engine e : engines) {
                try {
                    settings.retention().apply(e.view(fleet), settings.app(), settings.frontend());
                } catch (RuntimeException x) {
                    e.console().warn("retention: %s", Failures.rootMessage(x));
                }
            }
            return new FleetResult(settings.version(), generation, p.previous(), p.current(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Removes every new container on every host, unless the promotion went out and the list may name them. */
    private void takeAway(Iterable<HostContainer> started, List<HostContainer> generation, boolean promotionSent, DeployFailure f) {
        if (promotionSent && mayBeLive(generation, f)) {
            fleet.console().error("the new containers are (or may be) in the live list of %s: left running; check with `status`,"
                    + " then `rollback` or deploy again", settings.frontend());
            return;
        }
        Map<String, HostContainer> gone = new LinkedHashMap<>();
        started.forEach(c -> gone.put(c.id(), c));
        for (Engine e : fleet.reachable()) {
            // a host's task stopped mid-call (another host failed first) may have created a container it never
            // reported: this deploy's version, created since it began, under its lock, is this deploy's
            try {
                for (AppContainer c : new AppContainers(e.docker()).of(settings.app(), settings.frontend())) {
                    if (settings.version().equals(c.version()) && !c.deployedAt().isBefore(began) && !gone.containsKey(c.id())) {
                        gone.put(c.id(), new HostContainer(e, c.id(), c.name(), null));
                    }
                }
            } catch (RuntimeException x) {
                e.console().warn("cannot list containers: %s", Failures.rootMessage(x));
            }
        }
        for (HostContainer c : gone.values()) {
            try {
                new ContainerLauncher(c.engine().docker(), c.engine().console()).discard(c.id(), c.name());
            } catch (RuntimeException e) {
                c.engine().console().warn("could not remove container %s: %s (it never served: the next deploy or prune retires it)",
                        c.name(), Failures.rootMessage(e));
            }
        }
    }

    private boolean mayBeLive(Iterable<HostContainer> started, DeployFailure f) {
        if (f.exitCode() == ExitCode.REDIS_UNAVAILABLE) {
            return true;
        }
        try {
            Frontend list = fleet.routes().frontend(settings.frontend());
            for (HostContainer c : started) {
                if (list != null && list.rawBackends().contains(c.backend().raw())) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }
}
