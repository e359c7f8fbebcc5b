package dev.portier.proxy.routing;

import java.util.Map;

/**
 * A frontend in maintenance, from {@code maintenance:<host>}: its requests are answered 503 with
 * the maintenance page and {@code Retry-After}, the frontend list left alone.
 *
 * @param message    text for the page (shown HTML-escaped), empty for none
 * @param retryAfter seconds for the Retry-After header
 */
public record Maintenance(String message, int retryAfter) {

    /** Retry-After when the hash does not say (or says something unusable). */
    public static final int DEFAULT_RETRY_AFTER = 60;

    /**
     * Reads a HGETALL reply; null when the hash is empty. An unusable retryAfter is replaced by the
     * default (the frontend still goes into maintenance: that is what the key asks for).
     */
    static Maintenance fromHash(Map<String, String> hash, java.util.function.Consumer<String> warn) {
        if (hash == null || hash.isEmpty()) {
            return null;
        }
        String message = hash.getOrDefault("message", "");
        String r = hash.get("retryAfter");
        int retryAfter = DEFAULT_RETRY_AFTER;
        if (r != null) {
            try {
                retryAfter = Integer.parseInt(r.trim());
            } catch (NumberFormatException e) {
                retryAfter = -1;
            }
            if (retryAfter < 0) {
                warn.accept("field retryAfter is '" + r + "', not a number of seconds; using " + DEFAULT_RETRY_AFTER);
                retryAfter = DEFAULT_RETRY_AFTER;
            }
        }
        return new Maintenance(message, retryAfter);
    }
}
