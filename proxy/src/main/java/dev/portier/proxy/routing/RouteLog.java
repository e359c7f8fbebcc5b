package dev.portier.proxy.routing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one logger of the Redis route source and the parts it is made of. */
final class RouteLog {

    // the name the source's lines bore before it was split into parts: the log format prints it,
    // and operators filter on it
    static final Logger LOG = LoggerFactory.getLogger("dev.portier.proxy.routing.RedisRouteSource");

    private RouteLog() {
    }
}
