package dev.portier.deploy;

import dev.portier.deploy.cli.BootstrapCommand;
import dev.portier.deploy.cli.DeployCommand;
import dev.portier.deploy.cli.GlobalOptions;
import dev.portier.deploy.cli.LiveCommand;
import dev.portier.deploy.cli.MaintenanceCommand;
import dev.portier.deploy.cli.PauseCommand;
import dev.portier.deploy.cli.HistoryCommand;
import dev.portier.deploy.cli.PruneCommand;
import dev.portier.deploy.cli.ResumeCommand;
import dev.portier.deploy.cli.RollbackCommand;
import dev.portier.deploy.cli.ShortUsageErrors;
import dev.portier.deploy.cli.StatusCommand;
import dev.portier.deploy.cli.WatchCommand;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.Failures;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code portier-deployer} command line: global options and the subcommands. */
@Command(name = "portier-deployer", mixinStandardHelpOptions = true, versionProvider = PortierDeployer.Version.class,
        description = "Zero-downtime Docker deploys behind the portier (Hipache-compatible) proxy.",
        subcommands = {DeployCommand.class, RollbackCommand.class, StatusCommand.class, HistoryCommand.class, BootstrapCommand.class,
                WatchCommand.class, PruneCommand.class, MaintenanceCommand.class, LiveCommand.class, PauseCommand.class,
                ResumeCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes:", "  0 ok", "  1 deploy failed, live version unchanged (also: canary rejected, or rolled back after a regression)", "  2 usage or configuration error",
                "  3 deploy lock held (holder named)", "  4 Docker unreachable or refused", "  5 Redis unreachable",
                "  6 image not available", "  7 proxy did not confirm, previous list restored",
                "  8 nothing to roll back to / no such version", "  9 interrupted (SIGTERM/SIGINT); cleaned up, lock released"})
public final class PortierDeployer implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin(name = GlobalOptions.MIXIN_NAME)
    GlobalOptions global;

    /** The version printed by {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PortierDeployer.class.getPackage().getImplementationVersion();
            return new String[] {"portier-deployer " + (v == null ? "dev" : v)};
        }
    }

    public static void main(String[] args) {
        SignalExit.run(() -> commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The configured command line writing to the given streams; tests run it in-process. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new PortierDeployer());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // scripts build command lines from defaults plus overrides: the last value wins
        cl.setOverwrittenOptionsAllowed(true);
        // the terminal's width where it can be read; URLs sit on description lines of their own so no width splits them
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler(new ShortUsageErrors());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            DeployFailure f = Failures.settle(e);
            report(new Console(commandLine.getOut(), commandLine.getErr()), f);
            return f.exitCode();
        });
        return cl;
    }

    /** No command given: a usage error (exit 2) naming the commands, not the whole usage on stdout with exit 0. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "no command given; one of: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Prints a failure the way every command does: reason, then the container's last log lines. */
    static void report(Console console, DeployFailure f) {
        console.error("%s", f.getMessage());
        if (!f.logTail().isEmpty()) {
            console.error("last %d log line(s) of the container:", f.logTail().size());
            f.logTail().forEach(l -> console.error("  | %s", l));
        }
    }
}
