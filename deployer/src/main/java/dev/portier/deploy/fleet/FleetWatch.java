package dev.portier.deploy.fleet;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.watch.TickLoop;
import dev.portier.deploy.watch.VersionSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Watch mode across the fleet: every interval, the wanted version goes to every host (a rollback
 * when every host keeps a container of it, else a deploy); when it is already live, hosts that
 * serve nothing the list names (back from a crash, or new) are brought to it. A host that does not
 * answer fails a deploy and is skipped by the repair; the next tick tries again.
 *
 * @param recordFile where the deployed version is recorded after each success, or null
 */
public record FleetWatch(DeploySettings base, int bootLimit, VersionSource source, Duration interval, Path recordFile,
                         Opener sessions, Console console) {

    /** Opens a fresh fleet session for a tick, so an engine that came back is simply reached again. */
    @FunctionalInterface
    public interface Opener {
        FleetSession open() throws DeployFailure;
    }

    /** Ticks until the thread is interrupted; returns 0 then. */
    public int run() {
        console.step("watching %s every %d s for app %s, frontend %s, image %s:<version>, across the fleet", source.describe(),
                interval.toSeconds(), base.app(), base.frontend(), base.image().repository());
        return TickLoop.run(interval, this::tick, console);
    }

    /** One tick; the exit code of what it did, OK when there was nothing to do. */
    public int tick() {
        return TickLoop.towardWanted(source, interval, console, this::toward);
    }

    private int toward(String version) {
        try (FleetSession fleet = sessions.open()) {
            fleet.unreachable().values().forEach(f -> console.warn("%s", f.getMessage()));
            FleetHistory history = FleetHistory.read(fleet, fleet.reachable(), base.app(), base.frontend());
            Optional<String> live = history.liveVersion();
            if (live.isPresent() && live.get().equals(version)) {
                List<String> repaired = new FleetRepair(fleet, base).run(version);
                console.step(repaired.isEmpty() ? "version %s is live on every host that answers, nothing to do"
                        : "version %s is live; brought " + repaired + " to it", version);
                return ExitCode.OK;
            }
            boolean keptEverywhere = fleet.unreachable().isEmpty() && history.hosts().stream()
                    .allMatch(h -> FleetHistory.containerOf(h, version, history).isPresent());
            if (keptEverywhere) {
                console.step("wanted version %s, live %s: every host keeps it, rolling back", version, live.orElse("none or mixed"));
                try {
                    record(new FleetRollback(fleet, base.rollbackTo(version)).run().version());
                    return ExitCode.OK;
                } catch (DeployFailure f) {
                    if (f.exitCode() != ExitCode.DEPLOY_FAILED && f.exitCode() != ExitCode.NOT_FOUND) {
                        throw f;
                    }
                    console.warn("rollback to %s failed (%s): deploying it afresh", version, f.getMessage());
                }
            }
            console.step("wanted version %s, live %s: deploying to every host", version, live.orElse("none or mixed"));
            record(new FleetDeploy(fleet, base.withImage(base.image().withTag(version), version), bootLimit).run().version());
            return ExitCode.OK;
        } catch (DeployFailure | RuntimeException e) {
            DeployFailure f = Failures.settle(e);
            console.error("%s", f.getMessage());
            f.logTail().forEach(l -> console.error("  | %s", l));
            console.step("%s failed (exit %d); next try in %d s", version, f.exitCode(), interval.toSeconds());
            return f.exitCode();
        }
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
