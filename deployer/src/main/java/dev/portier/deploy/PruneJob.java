package dev.portier.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Applies the keep count to every frontend of an app (or one), outside a deploy; takes each frontend's lock. */
public record PruneJob(String app, String frontend, Retention retention, java.time.Duration lockTtl) {

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
            try (var lock = Locks.acquire(session, f, "prune", lockTtl)) {
                List<AppContainer> containers = new AppContainers(session.docker()).of(app, f);
                Optional<AppContainer> live = AppContainers.live(session.routes().frontend(f), containers);
                session.console().step("prune frontend %s: live %s, %d container(s), keeping %d old", f,
                        live.map(AppContainer::name).orElse("none"), containers.size(), retention.keep());
                out.add(retention.apply(session.docker(), session.console(), app, f, live.map(AppContainer::id).orElse(null)));
            }
        }
        return out;
    }
}
