package dev.portier.deploy;

import dev.portier.common.RedisDriverUrl;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code portier-deployer} command line: global options and the subcommands. */
@Command(name = "portier-deployer", mixinStandardHelpOptions = true, versionProvider = PortierDeployer.Version.class,
        description = "Zero-downtime Docker deploys behind the portier (Hipache-compatible) proxy.",
        subcommands = {DeployCommand.class, RollbackCommand.class, StatusCommand.class, BootstrapCommand.class,
                WatchCommand.class, PruneCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes:", "  0 ok", "  1 deploy failed, live version unchanged", "  2 usage or configuration error",
                "  3 deploy lock held (holder named)", "  4 Docker unreachable", "  5 Redis unreachable", "  6 image not available",
                "  7 proxy did not confirm, previous list restored", "  8 nothing to roll back to / no such version"})
public final class PortierDeployer implements Runnable {

    private static final Pattern APP_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    @Spec
    CommandSpec spec;

    @Option(names = "--redis", scope = ScopeType.INHERIT, defaultValue = "${env:REDIS_URL:-redis://127.0.0.1:6379}",
            description = "Hipache driver URL redis://:password@host:port/db#prefix (env REDIS_URL; default: ${DEFAULT-VALUE}).")
    String redis;

    @Option(names = "--docker-host", scope = ScopeType.INHERIT, defaultValue = "${env:DOCKER_HOST}",
            description = "Docker engine, e.g. unix:///var/run/docker.sock or tcp://host:2375 (env DOCKER_HOST; default: the unix socket).")
    String dockerHost;

    @Option(names = "--app", scope = ScopeType.INHERIT, defaultValue = "${env:PORTIER_APP:-web}",
            description = "Application name; containers are labelled and named after it (env PORTIER_APP; default: ${DEFAULT-VALUE}).")
    String app;

    @Option(names = "--lock-ttl", scope = ScopeType.INHERIT, defaultValue = "30s", converter = DurationConverter.class,
            description = "Deploy-lock expiry, renewed while running; frees the lock of a crashed deployer (default: ${DEFAULT-VALUE}).")
    Duration lockTtl;

    /** The version printed by {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PortierDeployer.class.getPackage().getImplementationVersion();
            return new String[] {"portier-deployer " + (v == null ? "dev" : v)};
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The configured command line writing to the given streams; tests run it in-process. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new PortierDeployer());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // scripts build command lines from defaults plus overrides: the last value wins
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            DeployFailure f = e instanceof DeployFailure d ? d
                    : e instanceof RuntimeException r ? Failures.from(r)
                    : new DeployFailure(ExitCode.DEPLOY_FAILED, String.valueOf(e.getMessage()), e);
            report(new Console(commandLine.getOut(), commandLine.getErr()), f);
            return f.exitCode();
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints a failure the way every command does: reason, then the container's last log lines. */
    static void report(Console console, DeployFailure f) {
        console.error("%s", f.getMessage());
        if (!f.logTail().isEmpty()) {
            console.error("last %d log line(s) of the container:", f.logTail().size());
            f.logTail().forEach(l -> console.error("  | %s", l));
        }
    }

    Console console() {
        return new Console(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Validated app name; a usage error (exit 2) otherwise. */
    String app(CommandSpec caller) {
        if (!APP_NAME.matcher(app).matches()) {
            throw new CommandLine.ParameterException(caller.commandLine(), "--app '" + app + "' must match " + APP_NAME.pattern());
        }
        return app;
    }

    RedisDriverUrl redisUrl(CommandSpec caller) {
        try {
            return RedisDriverUrl.parse(redis);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(caller.commandLine(), "--redis: " + e.getMessage());
        }
    }

    /** Opens Redis then Docker (Redis first: the lock comes before any container). */
    Session openSession(CommandSpec caller, Webhooks webhooks) throws DeployFailure {
        Console console = console();
        RedisDriverUrl url = redisUrl(caller);
        Routes routes = Routes.connect(url);
        try {
            return new Session(console, DockerConnection.open(dockerHost), routes, webhooks, machineName());
        } catch (DeployFailure e) {
            routes.close();
            throw e;
        }
    }

    static String machineName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }
}
