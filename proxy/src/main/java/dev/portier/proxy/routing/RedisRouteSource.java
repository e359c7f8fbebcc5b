package dev.portier.proxy.routing;

import dev.portier.proxy.config.ProxySettings;

/** Placeholder until the routing package lands. */
public final class RedisRouteSource {
    private RedisRouteSource() {
    }

    public static RouteSource fromSettings(ProxySettings settings) {
        throw new UnsupportedOperationException();
    }
}
