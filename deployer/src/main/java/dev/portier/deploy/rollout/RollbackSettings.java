package dev.portier.deploy.rollout;

import java.net.URI;
import java.time.Duration;

/**
 * One rollback, as the options describe it.
 *
 * @param target version label, container name or id prefix; null for the one that served before the live one
 */
public record RollbackSettings(String app, String frontend, String target, GoLive.Checks checks, Duration lockTtl) {

    /** Builds the settings; {@code proxyUrl} null skips the confirmation through the proxy. */
    public static RollbackSettings of(String app, String frontend, String target, Duration healthInterval, Duration healthDeadline,
                                      URI proxyUrl, Duration confirmDeadline, Duration lockTtl) {
        return new RollbackSettings(app, frontend, target, new GoLive.Checks(healthInterval, healthDeadline, proxyUrl, confirmDeadline),
                lockTtl);
    }
}
