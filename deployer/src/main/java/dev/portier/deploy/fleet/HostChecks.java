package dev.portier.deploy.fleet;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.ContainerLauncher;
import java.util.List;
import java.util.Optional;

/** The last look before a fleet promotion: every engine still answers and still runs its new container. */
final class HostChecks {

    private HostChecks() {
    }

    /**
     * Fails naming the host whose engine went away or whose container stopped since its health
     * check, so that the promotion never names a backend no engine stands behind.
     */
    static void stillRunning(List<HostContainer> generation) throws DeployFailure {
        for (HostContainer c : generation) {
            Optional<String> stopped;
            try {
                stopped = new ContainerLauncher(c.engine().docker(), c.engine().console()).exitReason(c.id());
            } catch (RuntimeException e) {
                DeployFailure f = HostTasks.engineFailure(e);
                throw new DeployFailure(f.exitCode(), "host " + c.engine().name() + ": engine stopped answering before the promotion: "
                        + f.getMessage() + "; not promoted anywhere", e);
            }
            if (stopped.isPresent()) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, "host " + c.engine().name() + ": " + c.name()
                        + " stopped after its health check (" + stopped.get() + "); not promoted anywhere");
            }
        }
    }
}
