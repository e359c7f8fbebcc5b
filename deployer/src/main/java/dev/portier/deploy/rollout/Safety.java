package dev.portier.deploy.rollout;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How a deploy watches real traffic through the proxies: a canary share before the promotion,
 * a watch after it, and the limits both hold the new version to.
 *
 * @param canaryPercent share of requests the new version gets before the promotion; 0 for no canary
 * @param canaryFor     how long the canary runs before it is promoted
 * @param watchAfter    how long the promoted version is watched and rolled back on a regression; zero for no watch
 * @param proxyAdmins   the admin listeners of every proxy in front of the frontend
 * @param every         time between two readings of the proxies' figures
 */
public record Safety(int canaryPercent, Duration canaryFor, Duration watchAfter, List<URI> proxyAdmins,
                     CanaryVerdict.Thresholds thresholds, Duration every) {

    /** No canary, no watch: a deploy as it always was. */
    public static final Safety NONE = new Safety(0, Duration.ZERO, Duration.ZERO, List.of(), CanaryVerdict.Thresholds.DEFAULTS,
            Duration.ofSeconds(5));

    public Safety {
        proxyAdmins = List.copyOf(proxyAdmins);
        if (canaryPercent < 0 || canaryPercent > 100) {
            throw new IllegalArgumentException("canary share must be within 0..100 %: " + canaryPercent);
        }
        if ((canaryPercent > 0 || !watchAfter.isZero()) && proxyAdmins.isEmpty()) {
            throw new IllegalArgumentException("a canary or a watch after the promotion reads the proxies' figures: give --proxy-admin");
        }
    }

    public boolean canary() {
        return canaryPercent > 0;
    }

    public boolean watchesAfter() {
        return !watchAfter.isZero() && !watchAfter.isNegative();
    }
}
