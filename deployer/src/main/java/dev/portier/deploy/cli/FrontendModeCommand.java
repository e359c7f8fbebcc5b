package dev.portier.deploy.cli;

import dev.portier.common.Frontend;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.redis.FrontendModes;
import dev.portier.deploy.redis.Routes;

/** What maintenance, live, pause and resume share: Redis alone, a warning for a frontend without a list. */
final class FrontendModeCommand {

    /** One change of a frontend's mode. */
    @FunctionalInterface
    interface Change {
        void apply(FrontendModes modes, Console console) throws DeployFailure;
    }

    private FrontendModeCommand() {
    }

    static int run(Invocation invocation, String frontend, Change change) throws DeployFailure {
        Console console = invocation.console();
        try (Routes routes = invocation.openRoutes()) {
            Frontend list = routes.frontend(frontend);
            if (list == null) {
                // the proxy still answers for a wildcard or a list created later: written anyway
                console.warn("%s does not exist (no deploy yet, or a typo?)", routes.keys().frontend(frontend));
            }
            change.apply(new FrontendModes(routes), console);
            return ExitCode.OK;
        }
    }
}
