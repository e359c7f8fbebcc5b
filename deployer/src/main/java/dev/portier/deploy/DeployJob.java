package dev.portier.deploy;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ExposedPort;
import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.common.FrontendWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One deploy, in the script's order: lock, image, container, address, health, promotion,
 * confirmation, retention, webhook. Until the promotion the live list is never touched, and a
 * container that failed is killed and removed before the job returns.
 */
public final class DeployJob {

    private final Session session;
    private final DeploySettings settings;

    public DeployJob(Session session, DeploySettings settings) {
        this.session = session;
        this.settings = settings;
    }

    /** Runs the deploy; every failure is a DeployFailure with its exit code, after the failure webhook. */
    public DeployResult run() throws DeployFailure {
        long start = System.nanoTime();
        Console console = session.console();
        String[] container = {null, null};
        BackendUrl[] backend = {null};
        console.step("deploy %s (version %s) of app %s to frontend %s", settings.image(), settings.version(),
                settings.app(), settings.frontend());
        try {
            DeployResult result = deploy(start, container, backend);
            notify(DeployEvent.SUCCESS, start, result.containerName(), result.backend(), null);
            console.step("deployed %s as %s at %s in %.1f s", settings.version(), result.containerName(),
                    result.backend(), result.took().toMillis() / 1000.0);
            return result;
        } catch (DeployFailure f) {
            notify(DeployEvent.FAILURE, start, container[1], backend[0], f.getMessage());
            throw f;
        } catch (RuntimeException e) {
            DeployFailure f = Failures.from(e);
            notify(DeployEvent.FAILURE, start, container[1], backend[0], f.getMessage());
            throw f;
        }
    }

    private DeployResult deploy(long start, String[] container, BackendUrl[] backend) throws DeployFailure {
        Console console = session.console();
        try (DeployLock lock = acquireLock()) {
            console.step("took deploy lock %s", lock.key());
            InspectImageResponse image = new ImageFetcher(session.docker(), console, settings.pullTimeout()).ensurePresent(settings.image());
            int port = containerPort(image);
            LaunchSpec spec = new LaunchSpec(settings.app(), settings.frontend(), settings.image(), settings.version(), port,
                    settings.healthPath(), settings.env(), settings.volumes(), settings.logDir(), settings.hostname(),
                    settings.addressing());
            ContainerLauncher launcher = new ContainerLauncher(session.docker(), console);
            String id = launcher.launch(spec);
            container[0] = id;
            container[1] = new AppContainers(session.docker()).byId(id).map(AppContainer::name).orElse(id);
            // a deployer killed between start and promotion must not leave a container that looks deployable
            Thread cleanup = new Thread(() -> launcher.discard(id, container[1]), "discard-unpromoted-container");
            Runtime.getRuntime().addShutdownHook(cleanup);
            FrontendWriter.Promotion promotion;
            boolean promotionTried = false;
            try {
                backend[0] = launcher.awaitAddress(id, port, settings.addressing(), Duration.ofSeconds(10));
                console.step("health-checking %s%s every %d ms for up to %d s", backend[0], settings.healthPath(),
                        settings.healthInterval().toMillis(), settings.healthDeadline().toSeconds());
                new HealthCheck(settings.healthInterval(), settings.healthDeadline(), console)
                        .await(backend[0], settings.healthPath(), () -> launcher.exitReason(id));
                if (!lock.isHeld()) {
                    throw new DeployFailure(ExitCode.LOCK_HELD, "deploy lock " + lock.key() + " was lost while health-checking; not promoted");
                }
                promotionTried = true;
                promotion = new Promoter(session).promote(settings.frontend(), backend[0], lock,
                        settings.proxyUrl(), settings.confirmDeadline());
            } catch (DeployFailure | RuntimeException e) {
                List<String> logs = launcher.tailLogs(id, 20);
                // only a promotion can have made the container live; before it, removing is always right
                if (promotionTried && mayBeLive(backend[0])) {
                    // e.g. the promotion's reply timed out after Redis applied it: removing the
                    // container now would leave the frontend pointing at nothing
                    console.error("%s is (or may be) in the live list of %s: container %s is left running;"
                            + " check with `status`, then `rollback` or deploy again", backend[0], settings.frontend(),
                            container[1]);
                } else {
                    launcher.discard(id, container[1]);
                }
                DeployFailure f = e instanceof DeployFailure d ? d : Failures.from((RuntimeException) e);
                throw f.withLogTail(logs);
            } finally {
                removeHook(cleanup);
            }
            try {
                settings.retention().apply(session.docker(), console, settings.app(), settings.frontend(), id);
            } catch (RuntimeException e) {
                // the new version is live and healthy: clean-up trouble is for the next prune, not a failed deploy
                console.warn("retention: %s", DockerConnection.rootMessage(e));
            }
            return new DeployResult(id, container[1], settings.version(), backend[0], promotion.previous(), promotion.current(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Whether the frontend's list names the backend now; true when Redis cannot tell (never remove what may serve). */
    private boolean mayBeLive(BackendUrl backend) {
        try {
            Frontend f = session.routes().frontend(settings.frontend());
            return f != null && f.rawBackends().contains(backend.raw());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private DeployLock acquireLock() throws DeployFailure {
        return Locks.acquire(session, settings.frontend(), "deploy " + settings.image(), settings.lockTtl());
    }

    private int containerPort(InspectImageResponse image) throws DeployFailure {
        if (settings.port() != null) {
            return settings.port();
        }
        ExposedPort[] exposed = image.getConfig() == null ? null : image.getConfig().getExposedPorts();
        List<Integer> tcp = new ArrayList<>();
        if (exposed != null) {
            Arrays.stream(exposed).filter(p -> p.getProtocol() == com.github.dockerjava.api.model.InternetProtocol.TCP)
                    .forEach(p -> tcp.add(p.getPort()));
        }
        if (tcp.size() == 1) {
            session.console().step("using the image's exposed port %d", tcp.get(0));
            return tcp.get(0);
        }
        throw new DeployFailure(ExitCode.USAGE, tcp.isEmpty()
                ? "image " + settings.image() + " exposes no TCP port: give --port"
                : "image " + settings.image() + " exposes ports " + tcp + ": choose one with --port");
    }

    private void notify(String status, long start, String container, BackendUrl backend, String error) {
        session.webhooks().send(new DeployEvent(session.machine(), settings.app(), "deploy", settings.frontend(),
                settings.image().toString(), settings.version(), container, backend == null ? null : backend.raw(), status,
                Math.round((System.nanoTime() - start) / 1e6) / 1000.0, error));
    }

    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs, which is what we want then
        }
    }
}
