package dev.portier.deploy.fleet;

import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A frontend's containers on each host, and which of them the list names: the fleet's live
 * generation is the version its hosts' live containers run; what served before comes from the
 * live records every promotion writes (one hash for the whole fleet, container ids being unique).
 */
final class FleetHistory {

    /** One host's containers of the frontend, newest first, and the one the list names. */
    record HostView(Engine engine, List<AppContainer> containers, Optional<AppContainer> live) {
    }

    private final Frontend list;
    private final Map<String, HostView> hosts;
    private final Map<String, Instant> liveTimes;

    private FleetHistory(Frontend list, Map<String, HostView> hosts, Map<String, Instant> liveTimes) {
        this.list = list;
        this.hosts = hosts;
        this.liveTimes = liveTimes;
    }

    static FleetHistory read(FleetSession fleet, List<Engine> engines, String app, String frontend) {
        Frontend list = fleet.routes().frontend(frontend);
        Map<String, HostView> hosts = new LinkedHashMap<>();
        for (Engine e : engines) {
            List<AppContainer> mine = new AppContainers(e.docker()).of(app, frontend);
            hosts.put(e.name(), new HostView(e, mine, AppContainers.live(list, mine)));
        }
        return new FleetHistory(list, hosts, fleet.routes().liveTimes(frontend));
    }

    Frontend list() {
        return list;
    }

    List<HostView> hosts() {
        return List.copyOf(hosts.values());
    }

    /** The version every live container runs; empty when none is live or they differ. */
    Optional<String> liveVersion() {
        Set<String> versions = new LinkedHashSet<>();
        hosts.values().forEach(h -> h.live().ifPresent(c -> versions.add(c.version())));
        return versions.size() == 1 ? Optional.of(versions.iterator().next()) : Optional.empty();
    }

    /** When a container was last made live; empty when it never was. */
    Optional<Instant> lastLive(AppContainer c) {
        return c.liveRecorded() ? Optional.ofNullable(liveTimes.get(c.id())) : Optional.of(c.deployedAt());
    }

    /** The versions that served before the live one, the most recently live first. */
    List<String> servedBefore() {
        Optional<String> live = liveVersion();
        Map<String, Instant> latest = new LinkedHashMap<>();
        for (HostView h : hosts.values()) {
            for (AppContainer c : h.containers()) {
                if (live.isPresent() && live.get().equals(c.version())) {
                    continue;
                }
                lastLive(c).ifPresent(t -> latest.merge(c.version(), t, (a, b) -> a.isAfter(b) ? a : b));
            }
        }
        List<String> out = new ArrayList<>(latest.keySet());
        out.sort(Comparator.comparing((String v) -> latest.get(v)).reversed());
        return out;
    }

    /** A host's container of a version: the one live most recently, else the newest. */
    static Optional<AppContainer> containerOf(HostView host, String version, FleetHistory history) {
        return host.containers().stream().filter(c -> version.equals(c.version()))
                .max(Comparator.comparing((AppContainer c) -> history.lastLive(c).orElse(Instant.EPOCH))
                        .thenComparing(AppContainer::deployedAt));
    }

    /** The list's entries that point at a host's address (kept as they are for a host that does not answer). */
    List<BackendUrl> entriesAt(String address) {
        List<BackendUrl> out = new ArrayList<>();
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                BackendUrl b = list.backend(i);
                if (b != null && address.equals(b.host())) {
                    out.add(b);
                }
            }
        }
        return out;
    }
}
