package dev.portier.deploy.cli;

import com.github.dockerjava.api.DockerClient;
import dev.portier.common.RedisDriverUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetSession;
import dev.portier.deploy.fleet.HostsFile;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.redis.Routes;
import dev.portier.deploy.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        List<String> hosts = global().dockerHosts;
        return DockerConnection.open(hosts == null || hosts.isEmpty() ? null : hosts.get(hosts.size() - 1));
    }

    /**
     * The fleet's engines when the command names several ({@code --hosts}, or {@code --docker-host}
     * repeated); empty for the single-host commands as they always were. A usage error (exit 2)
     * names what is wrong.
     */
    Optional<List<EngineSpec>> fleet() {
        GlobalOptions g = global();
        try {
            if (g.hostsFile != null) {
                if (g.dockerHosts != null && g.dockerHosts.size() > 1) {
                    throw new IllegalArgumentException("give the engines either with --hosts or with --docker-host repeated, not both");
                }
                return Optional.of(HostsFile.read(g.hostsFile));
            }
            if (g.dockerHosts == null || g.dockerHosts.size() < 2) {
                return Optional.empty();
            }
            List<EngineSpec> specs = new ArrayList<>();
            for (String url : g.dockerHosts) {
                EngineSpec s = EngineSpec.fromUrl(url);
                if (specs.stream().anyMatch(o -> o.address().equals(s.address()))) {
                    throw new IllegalArgumentException("--docker-host " + url + ": a second engine at " + s.address());
                }
                specs.add(s);
            }
            return Optional.of(List.copyOf(specs));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
    }

    /** Opens Redis, then every engine of the fleet (those that do not answer are noted in the session). */
    FleetSession openFleet(List<EngineSpec> engines, Webhooks webhooks) throws DeployFailure {
        return FleetSession.open(console(), redisUrl(), webhooks, Session.machineName(), engines);
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
