package dev.portier.proxy.accesslog;

/**
 * What the access log says of one exchange; any text may be null and then shows as "-".
 *
 * @param backendNanos time to the backend's response head, -1 when no backend answered
 * @param backend      the backend URL as listed, null when none answered
 * @param backendStatus the backend's status, 0 when none answered
 * @param split        with a canary on the frontend: {@code canary} or {@code live}, as the request went; else null
 */
public record AccessRecord(String peer, String method, String uri, String version, int status, long bytesOut,
                           String referer, String userAgent, String vhost, long totalNanos, long backendNanos,
                           String frontendKey, String backend, int backendStatus, long bytesIn, String split) {
}
