package dev.portier.deploy.fleet;

import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.rollout.HealthCheck;
import dev.portier.deploy.status.StatusText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Status across the fleet: per frontend its list, and each host's containers side by side, one row per version. */
public final class FleetStatus {

    /** One container on one host. */
    public record Cell(String container, String id, String state, String health, String backend, boolean live) {
    }

    /** One host: reachable or why not, and its containers by version. */
    public record HostStatus(String name, String docker, String address, String error, Map<String, List<Cell>> versions) {
    }

    /** One frontend across the fleet. */
    public record FrontendStatus(String frontend, String key, String identifier, List<String> backends, Set<Integer> dead,
                                 String lock, List<String> versions, List<HostStatus> hosts) {
    }

    /** The whole report, as {@code --json} prints it. */
    public record Report(List<FrontendStatus> frontends) {
    }

    private final FleetSession fleet;

    public FleetStatus(FleetSession fleet) {
        this.fleet = fleet;
    }

    /** Collects the report; {@code app} null means every app, {@code onlyFrontend} null every frontend. */
    public Report collect(String app, String onlyFrontend) {
        Map<String, List<AppContainer>> byHost = new LinkedHashMap<>();
        Set<String> frontends = new TreeSet<>();
        if (onlyFrontend != null) {
            frontends.add(onlyFrontend);
        } else {
            frontends.addAll(fleet.routes().hosts());
        }
        for (Engine e : fleet.reachable()) {
            List<AppContainer> all = new AppContainers(e.docker()).ofApp(app);
            byHost.put(e.name(), all);
            if (onlyFrontend == null) {
                all.forEach(c -> frontends.add(c.frontend()));
            }
        }
        List<FrontendStatus> out = new ArrayList<>();
        for (String f : frontends) {
            Frontend list = fleet.routes().frontend(f);
            Set<String> versions = new LinkedHashSet<>();
            List<HostStatus> hosts = new ArrayList<>();
            for (EngineSpec spec : fleet.specs()) {
                List<AppContainer> all = byHost.get(spec.name());
                if (all == null) {
                    hosts.add(new HostStatus(spec.name(), spec.docker(), spec.address(), fleet.unreachable().get(spec.name()).getMessage(),
                            Map.of()));
                    continue;
                }
                List<AppContainer> mine = all.stream().filter(c -> f.equals(c.frontend())).toList();
                Optional<AppContainer> live = AppContainers.live(list, mine);
                Map<String, List<Cell>> cells = new LinkedHashMap<>();
                for (AppContainer c : mine) {
                    versions.add(c.version());
                    cells.computeIfAbsent(c.version(), v -> new ArrayList<>()).add(cell(c, live.map(l -> l.id().equals(c.id())).orElse(false)));
                }
                hosts.add(new HostStatus(spec.name(), spec.docker(), spec.address(), null, cells));
            }
            String lock = DeployLock.holder(fleet.routes().sync(), fleet.routes().keys(), f).map(DeployLock.Holder::owner).orElse(null);
            out.add(new FrontendStatus(f, fleet.routes().keys().frontend(f), list == null ? null : list.identifier(),
                    list == null ? List.of() : list.rawBackends(), fleet.routes().deadMarks(f), lock, List.copyOf(versions), hosts));
        }
        return new Report(out);
    }

    private static Cell cell(AppContainer c, boolean live) {
        String health = "-";
        if (c.running()) {
            health = c.backend().map(b -> HealthCheck.probe(b, c.healthPath(), Duration.ofSeconds(1)) ? "healthy" : "unhealthy")
                    .orElse("no address");
        }
        return new Cell(c.name(), c.shortId(), c.state(), health, c.backend().map(b -> b.raw()).orElse(null), live);
    }

    public static void printJson(Report report, PrintWriter out) {
        StatusText.printJson(report, out);
    }

    /** One block per frontend: the list, then a version-by-host table; {@code *} marks what the list names. */
    public static void printTable(Report report, PrintWriter out) {
        if (report.frontends().isEmpty()) {
            out.println("no frontends in Redis and no deployed containers on any host");
        }
        for (FrontendStatus f : report.frontends()) {
            StatusText.printFrontend(out, f.frontend(), f.key(), f.identifier(), f.backends(), f.dead(), f.lock());
            StringBuilder head = new StringBuilder(String.format("  %-14s", "VERSION"));
            for (HostStatus h : f.hosts()) {
                head.append(String.format(" %-34s", h.name() + " (" + h.address() + ")"));
            }
            out.println(head);
            for (String v : f.versions()) {
                StringBuilder row = new StringBuilder(String.format("  %-14s", v));
                for (HostStatus h : f.hosts()) {
                    List<Cell> cs = h.versions().getOrDefault(v, List.of());
                    String text = cs.isEmpty() ? "-" : String.join(", ", cs.stream().map(c -> (c.live() ? "*" : "") + c.state()
                            + ("running".equals(c.state()) ? " " + c.health() : "") + (c.backend() == null ? "" : " :" + port(c.backend()))).toList());
                    row.append(String.format(" %-34s", text));
                }
                out.println(row);
            }
            for (HostStatus h : f.hosts()) {
                if (h.error() != null) {
                    out.printf("  %s: UNREACHABLE %s%n", h.name(), h.error());
                }
            }
            out.println();
        }
        out.flush();
    }

    private static String port(String backend) {
        int colon = backend.lastIndexOf(':');
        return colon < 0 ? backend : backend.substring(colon + 1);
    }
}
