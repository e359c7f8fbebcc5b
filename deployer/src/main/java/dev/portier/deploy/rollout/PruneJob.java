package dev.portier.deploy.rollout;

import dev.portier.common.DeployLock;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Applies the keep count to every frontend of an app (or one), outside a deploy; takes each frontend's lock. */
public record PruneJob(String app, String frontend, Retention retention, Duration lockTtl) {

    /** Returns what each frontend's retention did. */
    public List<Retention.Outcome> run(Session session) throws DeployFailure {
        Set<String> frontends = new TreeSet<>();
        if (frontend != null) {
            frontends.add(frontend);
        } else {
            new AppContainers(session.docker()).ofApp(app).forEach(c -> frontends.add(c.frontend()));
        }
        List<Retention.Outcome> out = new ArrayList<>();
        if (frontends.isEmpty()) {
            session.console().step("no containers of app %s: nothing to prune", app);
        }
        for (String f : frontends) {
            try (DeployLock lock = Locks.acquire(session.routes(), session.machine(), f, "prune", lockTtl)) {
                ServingHistory history = ServingHistory.read(session, app, f);
                session.console().step("prune frontend %s (lock %s): live %s, %d container(s), keeping %d old", f, lock.key(),
                        history.live().map(AppContainer::name).orElse("none"), history.all().size(), retention.keep());
                out.add(retention.apply(session, app, f));
            }
        }
        return out;
    }
}
