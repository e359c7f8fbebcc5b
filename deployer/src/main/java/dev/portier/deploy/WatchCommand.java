package dev.portier.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code watch}: the cron mode; deploys {@code IMAGE:<wanted version>} whenever the wanted version is not live. */
@Command(name = "watch", mixinStandardHelpOptions = false,
        description = "Every --interval, read the wanted version and deploy <image>:<version> when it differs from the live one; "
                + "a failed deploy is retried at the next tick.")
public final class WatchCommand implements Callable<Integer> {

    @ParentCommand
    PortierDeployer global;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

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
    LaunchOptions launch;

    @Mixin
    HealthOptions health;

    @Mixin
    NotifyOptions notify;

    @Override
    public Integer call() {
        ImageRef repo = ImageRef.parse(image);
        DeploySettings base = DeployCommand.settings(global, spec, launch, health, notify, repo, null);
        VersionSource from = source.url != null ? VersionSource.url(source.url) : VersionSource.file(source.file);
        Console console = global.console();
        WatchLoop.Bootstrap before = bootstrap
                ? () -> BootstrapCommand.run(global, spec, bootstrapOptions.job(base.frontend(), base.pullTimeout()), bootstrapOptions.readyTimeout)
                : null;
        WatchLoop loop = new WatchLoop(base, from, interval, recordFile,
                () -> global.openSession(spec, notify.webhooks(console)), before, console);
        return once ? loop.tick() : loop.run();
    }
}
