package dev.portier.deploy.cli;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.docker.ImageRef;
import dev.portier.deploy.fleet.EngineSpec;
import dev.portier.deploy.fleet.FleetWatch;
import dev.portier.deploy.rollout.DeploySettings;
import dev.portier.deploy.watch.VersionSource;
import dev.portier.deploy.watch.WatchLoop;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code watch}: the cron mode; deploys {@code IMAGE:<wanted version>} whenever the wanted version is not live. */
@Command(name = "watch",
        description = "Every --interval, read the wanted version and deploy <image>:<version> when it differs from the live one; "
                + "a failed deploy is retried at the next tick.")
public final class WatchCommand implements Callable<Integer> {

    @Mixin
    Invocation invocation;

    @Option(names = "--image", required = true, description = "Image repository without tag; the wanted version is the tag.")
    String image;

    @Option(names = "--interval", defaultValue = "5m", converter = DurationConverter.class,
            description = "Time between ticks (default: ${DEFAULT-VALUE}).")
    Duration interval;

    /** Exactly one place to read the wanted version from. */
    static final class Source {
        @Option(names = "--version-url", description = "URL whose body is the wanted version.")
        URI url;

        @Option(names = "--version-file", description = "File whose content is the wanted version.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--record-file", description = "File the deployed version is written to after each success.")
    Path recordFile;

    @Option(names = "--once", description = "Run one tick and exit with its code (for a real cron job).")
    boolean once;

    @Option(names = "--bootstrap", description = "Every tick, first do what `bootstrap` does (start Redis and the proxy "
            + "when they are not running), as the old cron script's first step did; takes bootstrap's options.")
    boolean bootstrap;

    @Mixin
    BootstrapOptions bootstrapOptions;

    @Mixin
    DeployOptions options;

    @Override
    public Integer call() {
        ImageRef repo = ImageRef.parse(image);
        DeploySettings base = options.settings(invocation, repo, null);
        VersionSource from = source.url != null ? VersionSource.url(source.url) : VersionSource.file(source.file);
        Console console = invocation.console();
        Optional<List<EngineSpec>> fleet = invocation.fleet();
        if (fleet.isPresent()) {
            if (bootstrap) {
                throw new CommandLine.ParameterException(invocation.command.commandLine(),
                        "--bootstrap starts Redis and the proxy on one host: run `bootstrap` on each host instead of with a fleet");
            }
            FleetWatch loop = new FleetWatch(base, options.fleet.bootLimit, from, interval, recordFile,
                    () -> invocation.openFleet(fleet.get(), options.notify.webhooks(console)), console);
            return once ? loop.tick() : loop.run();
        }
        WatchLoop.Bootstrap before = bootstrap
                ? () -> BootstrapCommand.run(invocation, bootstrapOptions.job(base.frontend(), base.pullTimeout()), bootstrapOptions.readyTimeout)
                : null;
        WatchLoop loop = new WatchLoop(base, from, interval, recordFile,
                () -> invocation.openSession(options.notify.webhooks(console)), before, console);
        return once ? loop.tick() : loop.run();
    }
}
