package dev.portier.deploy.fleet;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.rollout.DeploySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Brings the hosts that answer but serve nothing the list names (an engine that came back after
 * a crash or reboot, a host newly added to the hosts file) to the live version: its kept container
 * of that version restarted, or a new one started, health-checked, and its backend written in
 * place of the host's old entry; the other hosts' entries stay as they are. Hosts that do not
 * answer keep their entries (the proxies skip them while they are marked dead).
 */
record FleetRepair(FleetSession fleet, DeploySettings settings) {

    /** Returns the repaired hosts' names; empty when every reachable host already serves the live version. */
    List<String> run(String version) throws DeployFailure {
        List<Engine> engines = fleet.reachable();
        FleetHistory history = FleetHistory.read(fleet, engines, settings.app(), settings.frontend());
        List<FleetHistory.HostView> behind = history.hosts().stream().filter(h -> h.live().isEmpty()).toList();
        if (behind.isEmpty()) {
            return List.of();
        }
        try (DeployLock lock = Locks.acquire(fleet.routes(), fleet.machine(), settings.frontend(), "fleet repair", settings.lockTtl())) {
            // read again under the lock: a deploy may have finished meanwhile
            history = FleetHistory.read(fleet, engines, settings.app(), settings.frontend());
            FleetHistory now = history;
            List<FleetHistory.HostView> todo = now.hosts().stream().filter(h -> h.live().isEmpty()).toList();
            if (todo.isEmpty()) {
                return List.of();
            }
            fleet.console().step("hosts %s serve nothing of %s: bringing them to version %s",
                    todo.stream().map(h -> h.engine().name()).toList(), settings.frontend(), version);
            DeploySettings fresh = settings.withImage(settings.image().withTag(version), version);
            ConcurrentLinkedQueue<HostContainer> started = new ConcurrentLinkedQueue<>();
            List<HostContainer> fixed;
            try {
                fixed = HostTasks.run(todo.stream().map(FleetHistory.HostView::engine).toList(), 0, e -> task(now, e, fresh, started));
                HostChecks.stillRunning(fixed);
            } catch (DeployFailure f) {
                for (HostContainer c : started) {
                    new ContainerLauncher(c.engine().docker(), c.engine().console()).discard(c.id(), c.name());
                }
                throw f;
            }
            List<BackendUrl> backends = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            Map<String, FleetHistory.HostView> byName = new HashMap<>();
            now.hosts().forEach(h -> byName.put(h.engine().name(), h));
            for (EngineSpec spec : fleet.specs()) {
                Optional<HostContainer> f = fixed.stream().filter(c -> c.engine().name().equals(spec.name())).findFirst();
                FleetHistory.HostView h = byName.get(spec.name());
                if (f.isPresent()) {
                    backends.add(f.get().backend());
                    ids.add(f.get().id());
                } else if (h != null && h.live().isPresent()) {
                    AppContainer live = h.live().get();
                    now.entriesAt(spec.address()).stream().filter(live::serves).findFirst().ifPresent(backends::add);
                } else {
                    backends.addAll(now.entriesAt(spec.address()));
                }
            }
            new FleetPromotion(fleet, settings.checks()).promote(settings.frontend(), backends, ids, lock);
            return fixed.stream().map(c -> c.engine().name()).toList();
        }
    }

    private static Callable<HostContainer> task(FleetHistory history, Engine e, DeploySettings fresh,
                                                ConcurrentLinkedQueue<HostContainer> started) {
        FleetHistory.HostView view = history.hosts().stream().filter(h -> h.engine() == e).findFirst().orElseThrow();
        Optional<AppContainer> kept = FleetHistory.containerOf(view, fresh.version(), history);
        if (kept.isPresent()) {
            return new HostReady(e, kept.get(), fresh.checks());
        }
        return new HostBoot(e, fresh, started::add);
    }
}
