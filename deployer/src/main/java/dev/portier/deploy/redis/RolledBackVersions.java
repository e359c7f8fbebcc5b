package dev.portier.deploy.redis;

import java.util.Optional;

/**
 * The {@code rolledback:<host>} record: the version the deployer took away by itself (a rejected
 * canary, a regression after a promotion), so that watch mode does not deploy it again until the
 * wanted version changes.
 */
public final class RolledBackVersions {

    private final Routes routes;

    public RolledBackVersions(Routes routes) {
        this.routes = routes;
    }

    public void record(String host, String version) {
        routes.sync().set(routes.keys().rolledBack(host), version);
    }

    public Optional<String> of(String host) {
        return Optional.ofNullable(routes.sync().get(routes.keys().rolledBack(host)));
    }

    public void clear(String host) {
        routes.sync().del(routes.keys().rolledBack(host));
    }
}
