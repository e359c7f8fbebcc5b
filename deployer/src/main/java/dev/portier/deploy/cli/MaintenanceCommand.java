package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maintenance}: every proxy answers the frontend 503 with Retry-After until {@code live}. */
@Command(name = "maintenance",
        description = "Put a frontend in maintenance: every proxy answers it 503 with Retry-After (and the error page), "
                + "its list untouched, until `live`.")
public final class MaintenanceCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", required = true, description = "Frontend host.")
    String frontend;

    @Option(names = "--message", description = "Text shown on the 503 page (default: the proxy's).")
    String message;

    @Option(names = "--retry-after", converter = SecondsConverter.class,
            description = "Retry-After sent to clients: seconds, or e.g. 5m (default: the proxy's, 60 s).")
    Duration retryAfter;

    @Override
    public Integer call() throws DeployFailure {
        return FrontendModeCommand.run(invocation, frontend, (modes, console) -> {
            modes.maintenance(frontend, message, retryAfter);
            console.step("%s in maintenance: 503%s", frontend,
                    retryAfter == null ? "" : ", Retry-After " + retryAfter.toSeconds() + " s");
        });
    }
}
