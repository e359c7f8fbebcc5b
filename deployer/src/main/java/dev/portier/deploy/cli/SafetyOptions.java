package dev.portier.deploy.cli;

import dev.portier.deploy.rollout.CanaryVerdict;
import dev.portier.deploy.rollout.Safety;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** A canary before the promotion, a watch after it, and the limits both judge by; shared by deploy and watch. */
public final class SafetyOptions {

    @Option(names = "--canary", paramLabel = "PERCENT", converter = PercentConverter.class,
            description = {"Before promoting, give the new version this share of the requests (e.g. 10%)",
                    "for --canary-for, judged against the live version; needs --proxy-admin."})
    Double canary;

    @Option(names = "--canary-for", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long the canary runs before it is promoted (default: ${DEFAULT-VALUE}).")
    Duration canaryFor;

    @Option(names = "--watch-after", defaultValue = "0s", converter = DurationConverter.class,
            description = {"After the promotion, watch the new version this long and roll back to the kept",
                    "previous container on a regression (default: ${DEFAULT-VALUE}, no watch); needs --proxy-admin."})
    Duration watchAfter;

    @Option(names = "--proxy-admin", paramLabel = "URL",
            description = {"Admin listener of a proxy in front of the frontend, read at GET /backends", "(repeatable: every proxy of a fleet), e.g.",
                    "  http://127.0.0.1:9180"})
    List<URI> proxyAdmins = new ArrayList<>();

    @Option(names = "--max-error-rate-increase", paramLabel = "PERCENT", defaultValue = "1%", converter = PercentConverter.class,
            description = "Fail when the new version's 5xx share is above the reference's by more than this (default: ${DEFAULT-VALUE}).")
    double maxErrorRateIncrease;

    @Option(names = "--max-p99-ratio", paramLabel = "RATIO", defaultValue = "2.0",
            description = "Fail when the new version's p99 is above the reference's times this (default: ${DEFAULT-VALUE}) ...")
    double maxP99Ratio;

    @Option(names = "--p99-floor", defaultValue = "200ms", converter = DurationConverter.class,
            description = "... and above this; a lower p99 is noise (default: ${DEFAULT-VALUE}).")
    Duration p99Floor;

    @Option(names = "--min-requests", defaultValue = "50",
            description = {"Requests the new version must get before it is judged (default: ${DEFAULT-VALUE});",
                    "a failure that is certain before is judged at once."})
    long minRequests;

    @Option(names = "--watch-interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time between two readings of the proxies' figures (default: ${DEFAULT-VALUE}).")
    Duration every;

    /** The validated settings; a usage error (exit 2) names the option that is wrong. */
    Safety safety(CommandLine command) {
        int percent = canary == null ? 0 : (int) Math.round(canary * 100);
        if (canary != null && (percent < 1 || percent > 100 || Math.abs(canary * 100 - percent) > 1e-9)) {
            throw usage(command, "--canary must be a whole share from 1% to 100%");
        }
        if ((percent > 0 || !watchAfter.isZero()) && proxyAdmins.isEmpty()) {
            throw usage(command, (percent > 0 ? "--canary" : "--watch-after") + " reads the proxies' figures: give --proxy-admin URL (each proxy's admin listener)");
        }
        if (canaryFor.isZero() || every.isZero()) {
            throw usage(command, "--canary-for and --watch-interval must be more than 0");
        }
        CanaryVerdict.Thresholds thresholds;
        try {
            thresholds = new CanaryVerdict.Thresholds(maxErrorRateIncrease, maxP99Ratio, p99Floor.toMillis(), minRequests);
        } catch (IllegalArgumentException e) {
            throw usage(command, e.getMessage());
        }
        return new Safety(percent, canaryFor, watchAfter, proxyAdmins, thresholds, every);
    }

    private static CommandLine.ParameterException usage(CommandLine command, String message) {
        return new CommandLine.ParameterException(command, message);
    }
}
