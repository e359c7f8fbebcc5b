package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resume}: releases the requests a pause held. */
@Command(name = "resume", description = "End a frontend's pause: the held requests are relayed.")
public final class ResumeCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", required = true, description = "Frontend host.")
    String frontend;

    @Override
    public Integer call() throws DeployFailure {
        return FrontendModeCommand.run(invocation, frontend, (modes, console) -> console.step(
                modes.resume(frontend) ? "%s resumed: held requests are relayed" : "%s was not paused", frontend));
    }
}
