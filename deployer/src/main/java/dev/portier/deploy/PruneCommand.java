package dev.portier.deploy;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code prune}: old containers beyond the keep count, and the images only they used. */
@Command(name = "prune", mixinStandardHelpOptions = false,
        description = "Stop and remove containers beyond the newest --keep besides the live one, and images no container uses any more.")
public final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--frontend", description = "Only this frontend (default: every frontend of the app).")
    String frontend;

    @Option(names = "--keep", defaultValue = "3", description = "Old containers kept for rollback (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--stop-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Grace period when stopping (default: ${DEFAULT-VALUE}).")
    Duration stopTimeout;

    @Option(names = "--keep-images", description = "Do not remove images.")
    boolean keepImages;

    @Override
    public Integer call() throws DeployFailure {
        String app = global.app(spec);
        try (Session session = global.openSession(spec, Webhooks.none(global.console()))) {
            new PruneJob(app, frontend, new Retention(keep, stopTimeout, !keepImages), global.lockTtl).run(session);
            return ExitCode.OK;
        }
    }
}
