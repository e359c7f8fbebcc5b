package dev.portier.deploy.watch;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.AppContainers;
import dev.portier.deploy.redis.RolledBackVersions;
import dev.portier.deploy.rollout.DeployJob;
import dev.portier.deploy.rollout.DeployResult;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.rollout.RollbackJob;
import dev.portier.deploy.session.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cron mode: every interval, read the wanted version and deploy it when it is not the live
 * one. A failed deploy waits for the next tick (never a tight loop); a tick that cannot even
 * read the version or reach Docker/Redis is logged and skipped the same way.
 *
 * A version the deployer rolled back by itself ({@code --canary}, {@code --watch-after}) is not
 * deployed again until the wanted version changes.
 *
 * A wanted version that a kept (not live) container already runs is rolled back to — seconds, no
 * new container — so that an operator rolls back by naming the old version where the wanted
 * version is read; a failed rollback falls back to a fresh deploy of that version.
 *
 * @param recordFile where the deployed version is recorded after each success, or null
 * @param bootstrap  run at the start of every tick (Redis and the proxy up), or null
 */
public record WatchLoop(DeploySettings base, VersionSource source, Duration interval, Path recordFile,
                        SessionFactory sessions, Bootstrap bootstrap, Console console) {

    /** What {@code watch --bootstrap} does first at every tick. */
    @FunctionalInterface
    public interface Bootstrap {
        void run() throws DeployFailure;
    }

    /** Opens a fresh session for a tick. */
    @FunctionalInterface
    public interface SessionFactory {
        Session open() throws DeployFailure;
    }

    /** Ticks until the thread is interrupted; returns 0 then. */
    public int run() {
        console.step("watching %s every %d s for app %s, frontend %s, image %s:<version>", source.describe(),
                interval.toSeconds(), base.app(), base.frontend(), base.image().repository());
        return TickLoop.run(interval, this::tick, console);
    }

    /** One tick; returns the deploy's exit code, or OK when there was nothing to do. */
    public int tick() {
        if (bootstrap != null) {
            try {
                bootstrap.run();
            } catch (DeployFailure | RuntimeException e) {
                DeployFailure f = Failures.settle(e);
                console.error("bootstrap failed: %s; next try in %d s", f.getMessage(), interval.toSeconds());
                return f.exitCode();
            }
        }
        return TickLoop.towardWanted(source, interval, console, this::toward);
    }

    private int toward(String wanted) {
        try (Session session = sessions.open()) {
            List<AppContainer> containers = new AppContainers(session.docker()).of(base.app(), base.frontend());
            Optional<AppContainer> liveContainer = AppContainers.live(session.routes().frontend(base.frontend()), containers);
            String live = liveContainer.map(AppContainer::version).orElse(null);
            if (wanted.equals(live)) {
                console.step("version %s is live, nothing to do", live);
                return ExitCode.OK;
            }
            if (refusedAfterAutoRollback(session, wanted)) {
                return ExitCode.OK;
            }
            Optional<AppContainer> kept = containers.stream()
                    .filter(c -> wanted.equals(c.version()) && liveContainer.map(l -> !l.id().equals(c.id())).orElse(true))
                    .findFirst();
            if (kept.isPresent()) {
                console.step("wanted version %s, live %s: rolling back to kept container %s", wanted,
                        live == null ? "none" : live, kept.get().name());
                try {
                    DeployResult r = new RollbackJob(session, base.rollbackTo(kept.get().name())).run("watch");
                    record(r.version());
                    return ExitCode.OK;
                } catch (DeployFailure f) {
                    if (f.exitCode() != ExitCode.DEPLOY_FAILED && f.exitCode() != ExitCode.NOT_FOUND) {
                        throw f;
                    }
                    console.warn("rollback to %s failed (%s): deploying %s afresh", kept.get().name(), f.getMessage(), wanted);
                }
            }
            console.step("wanted version %s, live %s: deploying", wanted, live == null ? "none" : live);
            DeployResult r = new DeployJob(session, base.withImage(base.image().withTag(wanted), wanted)).run("watch");
            record(r.version());
            return ExitCode.OK;
        } catch (DeployFailure | RuntimeException e) {
            DeployFailure f = Failures.settle(e);
            console.error("%s", f.getMessage());
            f.logTail().forEach(l -> console.error("  | %s", l));
            console.step("deploy of %s failed (exit %d); next try in %d s", wanted, f.exitCode(), interval.toSeconds());
            return f.exitCode();
        }
    }

    /**
     * Whether the wanted version is the one the deployer rolled back by itself (a rejected canary,
     * a regression after its promotion): deploying it again at every tick would hand it traffic
     * again. Once the wanted version is another, the record goes.
     */
    private boolean refusedAfterAutoRollback(Session session, String wanted) {
        RolledBackVersions rolledBack = new RolledBackVersions(session.routes());
        Optional<String> refused = rolledBack.of(base.frontend());
        if (refused.isEmpty()) {
            return false;
        }
        if (refused.get().equals(wanted)) {
            console.step("version %s was rolled back automatically; waiting for another wanted version (%s holds it)", wanted,
                    session.routes().keys().rolledBack(base.frontend()));
            return true;
        }
        rolledBack.clear(base.frontend());
        console.step("wanted version moved on from %s, which was rolled back automatically", refused.get());
        return false;
    }

    private void record(String version) {
        if (recordFile == null) {
            return;
        }
        try {
            Path tmp = recordFile.resolveSibling(recordFile.getFileName() + ".tmp");
            Files.writeString(tmp, version + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, recordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            console.step("recorded version %s in %s", version, recordFile);
        } catch (IOException e) {
            console.warn("cannot record version in %s: %s", recordFile, e.getMessage());
        }
    }
}
