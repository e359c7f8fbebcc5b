package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetRollback;
import dev.portier.deploy.fleet.FleetSession;
import dev.portier.deploy.rollout.RollbackJob;
import dev.portier.deploy.rollout.RollbackSettings;
import dev.portier.deploy.session.Session;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rollback}: put the previous (or a named) kept container back live; no pull, seconds. */
@Command(name = "rollback",
        description = "Promote the kept container that served before the live one (or --to VERSION|CONTAINER) again, after a health check.")
public final class RollbackCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", required = true, description = "Frontend host to roll back.")
    String frontend;

    @Option(names = "--to", description = "Version label, container name or id prefix (default: the one that served before the live one).")
    String to;

    @Mixin
    HealthOptions health;

    @Mixin
    NotifyOptions notify;

    @Mixin
    LockOptions lock;

    @Override
    public Integer call() throws DeployFailure {
        RollbackSettings s = RollbackSettings.of(invocation.app(), frontend, to, health.interval, health.deadline,
                notify.proxyUrl, notify.confirmDeadline, lock.lockTtl);
        Optional<List<EngineSpec>> fleet = invocation.fleet();
        if (fleet.isPresent()) {
            try (FleetSession session = invocation.openFleet(fleet.get(), notify.webhooks(invocation.console()))) {
                new FleetRollback(session, s).run();
                return ExitCode.OK;
            }
        }
        try (Session session = invocation.openSession(notify.webhooks(invocation.console()))) {
            new RollbackJob(session, s).run();
            return ExitCode.OK;
        }
    }
}
