package dev.portier.proxy.relay;

import dev.portier.proxy.config.ProxySettings;
import dev.portier.proxy.errors.ErrorPages;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.RouteSource;
import dev.portier.proxy.server.Drain;

/** What every client connection's relay shares: settings, routes, pools, error pages. */
public record RelayContext(ProxySettings settings, RouteSource routes, BackendPools pools, ErrorPages errorPages,
                           String version, String scheme, Drain drain, ProxyMetrics metrics) {
}
