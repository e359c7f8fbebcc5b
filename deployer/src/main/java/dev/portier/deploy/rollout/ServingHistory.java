package dev.portier.deploy.rollout;

import dev.portier.common.Frontend;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.session.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A frontend's containers by when they last served, which is what retention keeps and a plain
 * rollback returns to; the order they were deployed in says nothing once a rollback happened.
 * The time comes from the record each promotion writes in Redis; a container that has none never
 * served (a deploy that failed at its promotion leaves one). Containers started before that
 * record existed count by their deploy time.
 */
final class ServingHistory {

    private final List<AppContainer> all;
    private final Optional<AppContainer> live;
    private final Map<String, Instant> liveTimes;

    private ServingHistory(List<AppContainer> all, Optional<AppContainer> live, Map<String, Instant> liveTimes) {
        this.all = all;
        this.live = live;
        this.liveTimes = liveTimes;
    }

    static ServingHistory read(Session session, String app, String frontend) {
        List<AppContainer> all = new AppContainers(session.docker()).of(app, frontend);
        Frontend list = session.routes().frontend(frontend);
        return new ServingHistory(all, AppContainers.live(list, all), session.routes().liveTimes(frontend));
    }

    List<AppContainer> all() {
        return all;
    }

    Optional<AppContainer> live() {
        return live;
    }

    boolean isLive(AppContainer c) {
        return live.isPresent() && live.get().id().equals(c.id());
    }

    /** When the container was last made live; empty when it never was. */
    Optional<Instant> lastLive(AppContainer c) {
        if (!c.liveRecorded()) {
            return Optional.of(c.deployedAt());
        }
        return Optional.ofNullable(liveTimes.get(c.id()));
    }

    /** The containers that served before the live one, the most recent first. */
    List<AppContainer> servedBefore() {
        List<AppContainer> out = new ArrayList<>();
        for (AppContainer c : all) {
            if (!isLive(c) && lastLive(c).isPresent()) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparing((AppContainer c) -> lastLive(c).orElseThrow()).reversed().thenComparing(AppContainer::name));
        return out;
    }

    /** Containers that never served and are not live: failed deploys, never rollback targets nor kept versions. */
    List<AppContainer> neverLive() {
        return all.stream().filter(c -> !isLive(c) && lastLive(c).isEmpty()).toList();
    }
}
