package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.history.DeployHistory;
import dev.portier.deploy.history.DeployRecord;
import dev.portier.deploy.history.HistoryTable;
import dev.portier.deploy.redis.Routes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code history}: who deployed what to which frontend, when, how long it took and how it ended. */
@Command(name = "history",
        description = "Show the deploy history kept in Redis (every deployer using it writes there): who deployed or rolled back "
                + "which version to which frontend, when, how long it took and how it ended. Newest first.")
public final class HistoryCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", description = "Only this frontend.")
    String frontend;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many entries (default: ${DEFAULT-VALUE}; "
            + "Redis keeps the last " + DeployHistory.KEPT + ").")
    int limit;

    @Option(names = "--json", description = "A JSON array for scripts instead of the table.")
    boolean json;

    @Override
    public Integer call() throws DeployFailure {
        try (Routes routes = Routes.connect(invocation.redisUrl())) {
            List<DeployRecord> entries = new DeployHistory(routes.sync(), routes.keys()).recent(frontend, limit);
            if (json) {
                HistoryTable.printJson(entries, invocation.command.commandLine().getOut());
            } else {
                HistoryTable.print(entries, "", invocation.command.commandLine().getOut());
            }
            return ExitCode.OK;
        }
    }
}
