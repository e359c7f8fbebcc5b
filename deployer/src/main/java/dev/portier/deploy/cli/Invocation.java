package dev.portier.deploy.cli;

import com.github.dockerjava.api.DockerClient;
import dev.portier.common.RedisDriverUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.redis.Routes;
import dev.portier.deploy.session.Session;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every subcommand shares: {@code -h}, and the global options with what they open (console, Redis, Docker). */
public final class Invocation {

    private static final Pattern APP_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private GlobalOptions global() {
        return (GlobalOptions) command.root().mixins().get(GlobalOptions.MIXIN_NAME).userObject();
    }

    Console console() {
        return new Console(command.commandLine().getOut(), command.commandLine().getErr());
    }

    /** Validated app name; a usage error (exit 2) otherwise. */
    String app() {
        String app = global().app;
        if (!APP_NAME.matcher(app).matches()) {
            throw new CommandLine.ParameterException(command.commandLine(), "--app '" + app + "' must match " + APP_NAME.pattern());
        }
        return app;
    }

    RedisDriverUrl redisUrl() {
        try {
            return RedisDriverUrl.parse(global().redis);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--redis: " + e.getMessage());
        }
    }

    DockerClient openDocker() throws DeployFailure {
        return DockerConnection.open(global().dockerHost);
    }

    /** Opens Redis alone, for the commands that only write keys (maintenance, pause). */
    Routes openRoutes() throws DeployFailure {
        return Routes.connect(redisUrl());
    }

    /** Opens Redis then Docker (Redis first: the lock comes before any container). */
    Session openSession(Webhooks webhooks) throws DeployFailure {
        Routes routes = Routes.connect(redisUrl());
        try {
            return new Session(console(), openDocker(), routes, webhooks, Session.machineName());
        } catch (DeployFailure e) {
            routes.close();
            throw e;
        }
    }
}
