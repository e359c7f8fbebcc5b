package dev.portier.deploy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rollback}: put the previous (or a named) kept container back live; no pull, seconds. */
@Command(name = "rollback", mixinStandardHelpOptions = false,
        description = "Promote the previous kept container (or --to VERSION|CONTAINER) again, after a health check.")
public final class RollbackCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--frontend", required = true, description = "Frontend host to roll back.")
    String frontend;

    @Option(names = "--to", description = "Version label, container name or id prefix (default: the one deployed before the live one).")
    String to;

    @Mixin
    HealthOptions health;

    @Mixin
    NotifyOptions notify;

    @Override
    public Integer call() throws DeployFailure {
        RollbackJob.Settings s = new RollbackJob.Settings(global.app(spec), frontend, to, health.interval, health.deadline,
                notify.proxyUrl, notify.confirmDeadline, global.lockTtl);
        try (Session session = global.openSession(spec, notify.webhooks(global.console()))) {
            new RollbackJob(session, s).run();
            return ExitCode.OK;
        }
    }
}
