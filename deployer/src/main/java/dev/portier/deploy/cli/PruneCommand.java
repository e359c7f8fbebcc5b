package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetPrune;
import dev.portier.deploy.fleet.FleetSession;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.rollout.PruneJob;
import dev.portier.deploy.session.Session;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prune}: old containers beyond the keep count, and the images only they used. */
@Command(name = "prune",
        description = "Stop and remove containers beyond the --keep that served most recently besides the live one, "
                + "and images no container uses any more.")
public final class PruneCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", description = "Only this frontend (default: every frontend of the app).")
    String frontend;

    @Mixin
    RetentionOptions retention;

    @Mixin
    LockOptions lock;

    @Override
    public Integer call() throws DeployFailure {
        String app = invocation.app();
        Optional<List<EngineSpec>> fleet = invocation.fleet();
        if (fleet.isPresent()) {
            try (FleetSession session = invocation.openFleet(fleet.get(), Webhooks.none(invocation.console()))) {
                new FleetPrune(app, frontend, retention.retention(), lock.lockTtl).run(session);
                return ExitCode.OK;
            }
        }
        try (Session session = invocation.openSession(Webhooks.none(invocation.console()))) {
            new PruneJob(app, frontend, retention.retention(), lock.lockTtl).run(session);
            return ExitCode.OK;
        }
    }
}
