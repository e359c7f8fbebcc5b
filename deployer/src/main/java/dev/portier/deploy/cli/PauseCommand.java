package dev.portier.deploy.cli;

import dev.portier.deploy.console.DeployFailure;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pause}: every proxy holds the frontend's new requests until {@code resume} (or 503 after the bound). */
@Command(name = "pause",
        description = "Hold a frontend's new requests in every proxy until `resume` (a schema migration without a failed "
                + "request); a request held longer than --max-hold is answered 503.")
public final class PauseCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--frontend", required = true, description = "Frontend host.")
    String frontend;

    @Option(names = "--max-hold", converter = SecondsConverter.class,
            description = "Longest a request is held: seconds, or e.g. 2m (default: the proxy's, 30 s).")
    Duration maxHold;

    @Override
    public Integer call() throws DeployFailure {
        return FrontendModeCommand.run(invocation, frontend, (modes, console) -> {
            modes.pause(frontend, maxHold);
            console.step("%s paused: new requests are held%s until `resume`", frontend,
                    maxHold == null ? "" : " (at most " + maxHold.toSeconds() + " s each)");
        });
    }
}
