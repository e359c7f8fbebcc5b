package dev.portier.deploy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code status}: frontends, their lists and dead marks, and the containers behind them. */
@Command(name = "status", mixinStandardHelpOptions = false,
        description = "Show each frontend's Redis list, dead marks and lock, and its containers (version, state, health, uptime, live).")
public final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--json", description = "One JSON document for scripts instead of the table.")
    boolean json;

    @Option(names = "--frontend", description = "Only this frontend.")
    String frontend;

    @Option(names = "--all-apps", description = "Containers of every app, not only --app.")
    boolean allApps;

    @Override
    public Integer call() throws DeployFailure {
        String app = allApps ? null : global.app(spec);
        try (Session session = global.openSession(spec, Webhooks.none(global.console()))) {
            StatusReport.Report report = new StatusReport(session).collect(app, frontend);
            if (json) {
                StatusReport.printJson(report, spec.commandLine().getOut());
            } else {
                StatusReport.printTable(report, spec.commandLine().getOut());
            }
            return ExitCode.OK;
        }
    }
}
