package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetSession;
import dev.portier.deploy.fleet.FleetStatus;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.session.Session;
import dev.portier.deploy.status.StatusReport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code status}: frontends, their lists and dead marks, and the containers behind them. */
@Command(name = "status",
        description = "Show each frontend's Redis list, dead marks and lock, and its containers (version, state, health, uptime, live).")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--json", description = "One JSON document for scripts instead of the table.")
    boolean json;

    @Option(names = "--frontend", description = "Only this frontend.")
    String frontend;

    @Option(names = "--all-apps", description = "Containers of every app, not only --app.")
    boolean allApps;

    @Override
    public Integer call() throws DeployFailure {
        String app = allApps ? null : invocation.app();
        Optional<List<EngineSpec>> fleet = invocation.fleet();
        if (fleet.isPresent()) {
            try (FleetSession session = invocation.openFleet(fleet.get(), Webhooks.none(invocation.console()))) {
                FleetStatus.Report report = new FleetStatus(session).collect(app, frontend);
                if (json) {
                    FleetStatus.printJson(report, invocation.command.commandLine().getOut());
                } else {
                    FleetStatus.printTable(report, invocation.command.commandLine().getOut());
                }
                return ExitCode.OK;
            }
        }
        try (Session session = invocation.openSession(Webhooks.none(invocation.console()))) {
            StatusReport.Report report = new StatusReport(session).collect(app, frontend);
            if (json) {
                StatusReport.printJson(report, invocation.command.commandLine().getOut());
            } else {
                StatusReport.printTable(report, invocation.command.commandLine().getOut());
            }
            return ExitCode.OK;
        }
    }
}
