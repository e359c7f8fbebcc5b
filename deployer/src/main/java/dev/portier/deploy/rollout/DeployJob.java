package dev.portier.deploy.rollout;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.InternetProtocol;
import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.Frontend;
import dev.portier.common.FrontendWriter;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.docker.ImageFetcher;
import dev.portier.deploy.docker.LaunchSpec;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One deploy, in the script's order: lock, image, container, address, health, promotion,
 * confirmation, retention, webhook. Until the promotion the live list is never touched. A
 * container that failed is killed and removed before the job returns, unless the promotion went
 * out and the list may name it; then it is left running, and only the live record the promotion
 * wrote with the list would ever make it count as a version that served.
 */
public record DeployJob(Session session, DeploySettings settings) {

    /** Runs the deploy; every failure is a DeployFailure with its exit code, after the failure webhook. */
    public DeployResult run() throws DeployFailure {
        Attempt attempt = new Attempt("deploy", settings.app(), settings.frontend(), settings.image().toString(), settings.version());
        session.console().step("deploy %s (version %s) of app %s to frontend %s", settings.image(), settings.version(),
                settings.app(), settings.frontend());
        DeployResult result = attempt.conclude(session, () -> deploy(attempt));
        session.console().step("deployed %s as %s at %s in %.1f s", settings.version(), result.containerName(),
                result.backend(), result.took().toMillis() / 1000.0);
        return result;
    }

    private DeployResult deploy(Attempt attempt) throws DeployFailure {
        Console console = session.console();
        try (DeployLock lock = Locks.acquire(session.routes(), session.machine(), settings.frontend(),
                "deploy " + settings.image(), settings.lockTtl())) {
            console.step("took deploy lock %s", lock.key());
            InspectImageResponse image = new ImageFetcher(session.docker(), console, settings.pullTimeout()).ensurePresent(settings.image());
            LaunchSpec spec = settings.launch().withPort(containerPort(image));
            ContainerLauncher launcher = new ContainerLauncher(session.docker(), console);
            ContainerLauncher.Launched container = launcher.launch(spec);
            attempt.container(container.name());
            FrontendWriter.Promotion promotion;
            try {
                promotion = new GoLive(session, settings.checks()).run(attempt, settings.frontend(),
                        new GoLive.Target(container.id(), container.name(), spec.port(), spec.addressing(), spec.healthPath()), lock);
            } catch (DeployFailure | RuntimeException e) {
                throw takeAway(launcher, container, attempt, Failures.settle(e));
            }
            try {
                if (attempt.isPromotionUnreplicated()) {
                    console.warn("retention skipped: the promotion is not on a replica yet; run `prune` later");
                } else {
                    settings.retention().apply(session, settings.app(), settings.frontend());
                }
            } catch (RuntimeException e) {
                // the new version is live and healthy: clean-up trouble is for the next prune, not a failed deploy
                console.warn("retention: %s", Failures.rootMessage(e));
            }
            return new DeployResult(container.id(), container.name(), settings.version(), attempt.backend(),
                    promotion.previous(), promotion.current(), Duration.ofNanos(attempt.elapsedNanos()));
        }
    }

    /** Removes the failed container, unless the list may name it; returns the failure with its last log lines. */
    private DeployFailure takeAway(ContainerLauncher launcher, ContainerLauncher.Launched container, Attempt attempt, DeployFailure f) {
        List<String> logs = launcher.tailLogs(container.id(), 20);
        if (attempt.isPromotionSent() && mayBeLive(attempt.backend(), f)) {
            // e.g. the promotion's reply was lost after Redis applied it: removing the container
            // now could leave the frontend pointing at nothing
            session.console().error("%s is (or may be) in the live list of %s: container %s is left running; it counts as a"
                    + " version that served only if the promotion was applied; check with `status`, then `rollback` or deploy again",
                    attempt.backend(), settings.frontend(), container.name());
        } else {
            launcher.discard(container.id(), container.name());
        }
        return f.withLogTail(logs);
    }

    /** Whether the frontend's list names the backend now; true when Redis cannot tell (never remove what may serve). */
    private boolean mayBeLive(BackendUrl backend, DeployFailure f) {
        if (f.exitCode() == ExitCode.REDIS_UNAVAILABLE) {
            return true;
        }
        try {
            Frontend list = session.routes().frontend(settings.frontend());
            return list != null && list.rawBackends().contains(backend.raw());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private int containerPort(InspectImageResponse image) throws DeployFailure {
        if (settings.launch().port() != null) {
            return settings.launch().port();
        }
        ExposedPort[] exposed = image.getConfig() == null ? null : image.getConfig().getExposedPorts();
        List<Integer> tcp = new ArrayList<>();
        if (exposed != null) {
            Arrays.stream(exposed).filter(p -> p.getProtocol() == InternetProtocol.TCP).forEach(p -> tcp.add(p.getPort()));
        }
        if (tcp.size() == 1) {
            session.console().step("using the image's exposed port %d", tcp.get(0));
            return tcp.get(0);
        }
        throw new DeployFailure(ExitCode.USAGE, tcp.isEmpty()
                ? "image " + settings.image() + " exposes no TCP port: give --port"
                : "image " + settings.image() + " exposes ports " + tcp + ": choose one with --port");
    }
}
