package dev.portier.deploy.status;

import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.redis.Canaries;
import dev.portier.deploy.redis.FrontendModes;
import dev.portier.deploy.redis.RolledBackVersions;
import dev.portier.deploy.redis.Routes;
import dev.portier.deploy.history.DeployHistory;
import dev.portier.deploy.history.DeployRecord;
import dev.portier.deploy.history.HistoryTable;
import dev.portier.deploy.rollout.HealthCheck;
import dev.portier.deploy.session.Session;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** For each frontend: its Redis list, dead marks, lock, and the containers deployed for it, live one marked. */
public final class StatusReport {

    /**
     * One container line. {@code uptime} in seconds, null when not running; {@code ports}: each
     * extra published port by name, where it answers now ({@code address:port}); {@code memory},
     * {@code cpus}, {@code labels}, {@code addHosts}: the options it was deployed with (null or empty: none).
     */
    public record ContainerStatus(String name, String id, String version, String image, String state, String health,
                                  Long uptime, String backend, boolean live, String deployedAt, Map<String, String> ports,
                                  String memory, Double cpus, Map<String, String> labels, List<String> addHosts) {

        public ContainerStatus(String name, String id, String version, String image, String state, String health,
                               Long uptime, String backend, boolean live, String deployedAt) {
            this(name, id, version, image, state, health, uptime, backend, live, deployedAt, Map.of(), null, null, Map.of(), List.of());
        }
    }

    /** One frontend block. */
    public record FrontendStatus(String frontend, String key, String identifier, List<String> backends, Set<Integer> dead,
                                 String lock, String liveVersion, List<ContainerStatus> containers, Modes modes) {
    }

    /** What else Redis says of the frontend; each null when off. */
    public record Modes(Canaries.Canary canary, Map<String, String> maintenance, Map<String, String> pause, String rolledBack) {

        static Modes read(Routes routes, String host) {
            FrontendModes m = new FrontendModes(routes);
            Map<String, String> maintenance = m.maintenanceOf(host);
            Map<String, String> pause = m.pauseOf(host);
            return new Modes(new Canaries(routes).read(host).orElse(null), maintenance.isEmpty() ? null : maintenance,
                    pause.isEmpty() ? null : pause, new RolledBackVersions(routes).of(host).orElse(null));
        }

        boolean any() {
            return canary != null || maintenance != null || pause != null || rolledBack != null;
        }
    }

    /** The whole report, as {@code --json} prints it; {@code recentDeploys} newest first, from the deploy history. */
    public record Report(List<FrontendStatus> frontends, List<DeployRecord> recentDeploys) {
        public Report(List<FrontendStatus> frontends) {
            this(frontends, List.of());
        }
    }

    /** History entries the report shows. */
    public static final int RECENT_DEPLOYS = 5;

    private final Session session;

    public StatusReport(Session session) {
        this.session = session;
    }

    /** Collects the report; {@code app} null means every app, {@code onlyFrontend} null means every frontend. */
    public Report collect(String app, String onlyFrontend) {
        Set<String> hosts = new TreeSet<>();
        if (onlyFrontend != null) {
            hosts.add(onlyFrontend);
        } else {
            hosts.addAll(session.routes().hosts());
        }
        List<AppContainer> all = new AppContainers(session.docker()).ofApp(app);
        if (onlyFrontend == null) {
            all.forEach(c -> hosts.add(c.frontend()));
        }
        List<FrontendStatus> out = new ArrayList<>();
        for (String host : hosts) {
            Frontend list = session.routes().frontend(host);
            List<AppContainer> mine = all.stream().filter(c -> host.equals(c.frontend())).toList();
            Optional<AppContainer> live = AppContainers.live(list, mine);
            List<ContainerStatus> cs = new ArrayList<>();
            for (AppContainer c : mine) {
                cs.add(describe(c, live.isPresent() && live.get().id().equals(c.id())));
            }
            String lock = DeployLock.holder(session.routes().sync(), session.routes().keys(), host).map(DeployLock.Holder::owner).orElse(null);
            out.add(new FrontendStatus(host, session.routes().keys().frontend(host),
                    list == null ? null : list.identifier(), list == null ? List.of() : list.rawBackends(),
                    session.routes().deadMarks(host), lock, live.map(AppContainer::version).orElse(null), cs,
                    Modes.read(session.routes(), host)));
        }
        return new Report(out, new DeployHistory(session.routes().sync(), session.routes().keys()).recent(onlyFrontend, RECENT_DEPLOYS));
    }

    private ContainerStatus describe(AppContainer c, boolean live) {
        String backend = c.backend().map(b -> b.raw()).orElse(null);
        String health = "-";
        Long uptime = null;
        if (c.running()) {
            health = c.backend().map(b -> HealthCheck.probe(b, c.healthPath(), Duration.ofSeconds(1)) ? "healthy" : "unhealthy").orElse("no address");
            try {
                String startedAt = session.docker().inspectContainerCmd(c.id()).exec().getState().getStartedAt();
                uptime = Duration.between(Instant.parse(startedAt), Instant.now()).toSeconds();
            } catch (RuntimeException e) {
                // DateTimeParseException or a container that just went away: no uptime
            }
        }
        return new ContainerStatus(c.name(), c.shortId(), c.version(), c.image(), c.state(), health, uptime, backend, live,
                c.deployedAt().toString(), c.extraPorts(), c.options().memory(), c.options().cpus(), c.options().labels(),
                c.options().addHosts());
    }

    /** Prints the report as JSON, one document. */
    public static void printJson(Report report, PrintWriter out) {
        StatusText.printJson(report, out);
    }

    /** Prints the report as a table a person reads. */
    public static void printTable(Report report, PrintWriter out) {
        if (report.frontends().isEmpty()) {
            out.println("no frontends in Redis and no deployed containers");
        }
        for (FrontendStatus f : report.frontends()) {
            StatusText.printFrontend(out, f.frontend(), f.key(), f.identifier(), f.backends(), f.dead(), f.lock());
            Modes m = f.modes();
            if (m != null && m.any()) {
                out.printf("  canary: %s   maintenance: %s   pause: %s   rolled back: %s%n",
                        m.canary() == null ? "none" : m.canary().backend() + " " + m.canary().percent() + " %",
                        m.maintenance() == null ? "off" : "on " + m.maintenance(), m.pause() == null ? "off" : "on " + m.pause(),
                        m.rolledBack() == null ? "none" : m.rolledBack());
            }
            if (f.containers().isEmpty()) {
                out.println("  no containers deployed by portier");
            } else {
                String fmt = "  %-4s %-44s %-12s %-8s %-10s %-8s %-28s %s%n";
                out.printf(fmt, "LIVE", "CONTAINER", "VERSION", "STATE", "HEALTH", "UPTIME", "BACKEND", "DEPLOYED");
                for (ContainerStatus c : f.containers()) {
                    out.printf(fmt, c.live() ? "*" : "", c.name(), c.version(), c.state(), c.health(),
                            c.uptime() == null ? "-" : human(c.uptime()), c.backend() == null ? "-" : c.backend(), c.deployedAt());
                    String extra = ContainerExtras.describe(c);
                    if (!extra.isEmpty()) {
                        out.printf("       %s%n", extra);
                    }
                }
            }
            out.println();
        }
        if (!report.recentDeploys().isEmpty()) {
            out.println("RECENT DEPLOYS (more: `history`)");
            HistoryTable.print(report.recentDeploys(), "  ", out);
        }
        out.flush();
    }

    static String human(long seconds) {
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m";
        }
        if (seconds < 172800) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }
}
