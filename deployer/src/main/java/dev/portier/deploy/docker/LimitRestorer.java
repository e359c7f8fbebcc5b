package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import java.util.Objects;

/**
 * Puts a kept container's memory and CPU limits back to what its labels say it was deployed
 * with, before a rollback makes it live again: a {@code docker update} by hand since (to let a
 * profiling session breathe, say) must not go live unnoticed. Ports need nothing: Docker keeps a
 * container's port bindings across restarts.
 */
public final class LimitRestorer {

    private final DockerClient docker;
    private final Console console;

    public LimitRestorer(DockerClient docker, Console console) {
        this.docker = docker;
        this.console = console;
    }

    /** Updates the container when its limits differ from its labels; labels without limits leave it as it is. */
    public void restore(AppContainer c) throws DeployFailure {
        ContainerOptions o = c.options();
        if (o.memoryBytes() == null && o.nanoCpus() == null) {
            return;
        }
        try {
            HostConfig h = docker.inspectContainerCmd(c.id()).exec().getHostConfig();
            boolean memory = o.memoryBytes() != null && !Objects.equals(o.memoryBytes(), h.getMemory());
            boolean cpus = o.nanoCpus() != null && !Objects.equals(o.nanoCpus(), h.getNanoCPUs());
            if (!memory && !cpus) {
                return;
            }
            var update = docker.updateContainerCmd(c.id());
            if (memory) {
                // the swap limit Docker gives a new container with --memory alone: twice the memory
                update.withMemory(o.memoryBytes()).withMemorySwap(2 * o.memoryBytes());
            }
            if (cpus) {
                update.withNanoCPUs(o.nanoCpus());
            }
            update.exec();
            console.step("restored the limits %s was deployed with:%s%s", c.name(),
                    memory ? " memory " + o.memory() + " (was " + h.getMemory() + " bytes)" : "",
                    cpus ? " cpus " + o.cpus() + " (was " + h.getNanoCPUs() / 1e9 + ")" : "");
        } catch (RuntimeException e) {
            throw new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "cannot restore the limits of " + c.name() + ": " + Failures.rootMessage(e), e);
        }
    }
}
