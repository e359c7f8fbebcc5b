package dev.portier.proxy.routing;

import dev.portier.common.Frontend;

/**
 * What a request's Host resolved to.
 *
 * @param status      FOUND, NOT_FOUND (no frontend key matched: 400), UNAVAILABLE (Redis unreachable
 *                    and this host never resolved: 503)
 * @param host        the normalised request host (lower case, no port); dead marks are kept under it
 * @param frontendKey the matching candidate without the prefix, e.g. {@code www.a.com}, {@code *.a.com}, {@code *}
 * @param frontend    the frontend list (only when FOUND)
 */
public record Lookup(Status status, String host, String frontendKey, Frontend frontend) {

    /** Outcome of a lookup. */
    public enum Status { FOUND, NOT_FOUND, UNAVAILABLE }

    public static Lookup found(String host, String frontendKey, Frontend frontend) {
        return new Lookup(Status.FOUND, host, frontendKey, frontend);
    }

    public static Lookup notFound(String host) {
        return new Lookup(Status.NOT_FOUND, host, null, null);
    }

    public static Lookup unavailable(String host) {
        return new Lookup(Status.UNAVAILABLE, host, null, null);
    }
}
