package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetDeploy;
import dev.portier.deploy.fleet.FleetSession;
import dev.portier.deploy.rollout.DeployJob;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.session.Session;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deploy}: start the image, health-check it, promote it atomically, keep the old ones for rollback. */
@Command(name = "deploy",
        description = "Deploy an image to a frontend with zero downtime; the live version changes only after the new one is healthy.")
public final class DeployCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--image", required = true, description = "Image to deploy, NAME:TAG (pulled only when absent).")
    String image;

    @Option(names = "--version", description = "Version label (default: the image tag).")
    String version;

    @Mixin
    DeployOptions options;

    @Override
    public Integer call() throws DeployFailure {
        DeploySettings settings = options.settings(invocation, ImageRef.parse(image), version);
        Optional<List<EngineSpec>> fleet = invocation.fleet();
        if (fleet.isPresent()) {
            try (FleetSession session = invocation.openFleet(fleet.get(), options.notify.webhooks(invocation.console()))) {
                new FleetDeploy(session, settings, options.fleet.bootLimit).run();
                return ExitCode.OK;
            }
        }
        try (Session session = invocation.openSession(options.notify.webhooks(invocation.console()))) {
            new DeployJob(session, settings).run();
            return ExitCode.OK;
        }
    }
}
