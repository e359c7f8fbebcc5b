package dev.portier.deploy;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code deploy}: start the image, health-check it, promote it atomically, keep the old ones for rollback. */
@Command(name = "deploy", mixinStandardHelpOptions = false,
        description = "Deploy an image to a frontend with zero downtime; the live version changes only after the new one is healthy.")
public final class DeployCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--image", required = true, description = "Image to deploy, NAME:TAG (pulled only when absent).")
    String image;

    @Option(names = "--version", description = "Version label (default: the image tag).")
    String version;

    @Mixin
    LaunchOptions launch;

    @Mixin
    HealthOptions health;

    @Mixin
    NotifyOptions notify;

    @Override
    public Integer call() throws DeployFailure {
        DeploySettings settings = settings(global, spec, launch, health, notify, ImageRef.parse(image), version);
        try (Session session = global.openSession(spec, notify.webhooks(global.console()))) {
            new DeployJob(session, settings).run();
            return ExitCode.OK;
        }
    }

    static DeploySettings settings(PortierDeployer global, CommandSpec spec, LaunchOptions launch, HealthOptions health,
                                   NotifyOptions notify, ImageRef image, String version) {
        String app = global.app(spec);
        Path logDir = launch.noLogDir ? null : launch.logDir != null ? launch.logDir : Path.of("/logs", app);
        String hostname = launch.hostname != null ? launch.hostname : PortierDeployer.machineName();
        return new DeploySettings(app, launch.frontend, image, version != null ? version : image.version(), launch.port,
                health.path, health.interval, health.deadline, launch.env, launch.volumes, logDir, hostname,
                BackendAddressing.parse(launch.backendAddress, launch.network), notify.proxyUrl, notify.confirmDeadline,
                launch.retention(), global.lockTtl, launch.pullTimeout);
    }
}
