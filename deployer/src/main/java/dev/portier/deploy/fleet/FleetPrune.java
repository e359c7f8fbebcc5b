package dev.portier.deploy.fleet;

import dev.portier.common.DeployLock;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.rollout.Retention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keep count on every host that answers, frontend by frontend under its lock: each host keeps
 * the containers that served most recently besides the one the list names there. A host that does
 * not answer is skipped with a warning (its containers are pruned when it is back).
 */
public record FleetPrune(String app, String frontend, Retention retention, Duration lockTtl) {

    public List<Retention.Outcome> run(FleetSession fleet) throws DeployFailure {
        fleet.unreachable().values().forEach(f -> fleet.console().warn("%s; not pruned", f.getMessage()));
        Set<String> frontends = new TreeSet<>();
        if (frontend != null) {
            frontends.add(frontend);
        } else {
            for (Engine e : fleet.reachable()) {
                new AppContainers(e.docker()).ofApp(app).forEach(c -> frontends.add(c.frontend()));
            }
        }
        if (frontends.isEmpty()) {
            fleet.console().step("no containers of app %s on any host: nothing to prune", app);
        }
        List<Retention.Outcome> out = new ArrayList<>();
        for (String f : frontends) {
            try (DeployLock lock = Locks.acquire(fleet.routes(), fleet.machine(), f, "fleet prune", lockTtl)) {
                fleet.console().step("prune frontend %s (lock %s) on %d host(s), keeping %d old on each", f, lock.key(),
                        fleet.reachable().size(), retention.keep());
                for (Engine e : fleet.reachable()) {
                    out.add(retention.apply(e.view(fleet), app, f));
                }
            }
        }
        return out;
    }
}
