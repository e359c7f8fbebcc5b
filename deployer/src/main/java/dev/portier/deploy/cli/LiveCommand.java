package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code live}: ends a frontend's maintenance. */
@Command(name = "live", description = "End a frontend's maintenance: the proxies route it again.")
public final class LiveCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", required = true, description = "Frontend host.")
    String frontend;

    @Override
    public Integer call() throws DeployFailure {
        return FrontendModeCommand.run(invocation, frontend, (modes, console) -> console.step(
                modes.live(frontend) ? "%s live again" : "%s was not in maintenance", frontend));
    }
}
