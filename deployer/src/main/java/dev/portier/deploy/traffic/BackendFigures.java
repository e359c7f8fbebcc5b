package dev.portier.deploy.traffic;

import java.util.Locale;

/**
 * What the proxies saw of one backend (or of several taken together) over a window: requests,
 * 5xx answers (including the proxy's own 502/504 for it) and the 99th percentile latency.
 *
 * @param p99Ms the highest p99 of the parts added together: the proxies publish percentiles, not
 *              histograms, so the worst one is the honest bound
 */
public record BackendFigures(long requests, long errors5xx, double p99Ms) {

    /** Nothing seen. */
    public static final BackendFigures NONE = new BackendFigures(0, 0, 0);

    /** The share of 5xx answers, 0 when there were no requests. */
    public double errorShare() {
        return requests == 0 ? 0 : (double) errors5xx / requests;
    }

    /** Both together: counts added, the higher p99 (of the parts that had requests). */
    public BackendFigures plus(BackendFigures o) {
        double p99 = o.requests == 0 ? p99Ms : requests == 0 ? o.p99Ms : Math.max(p99Ms, o.p99Ms);
        return new BackendFigures(requests + o.requests, errors5xx + o.errors5xx, p99);
    }

    /** For log lines and webhooks: {@code 412 requests, 3 5xx (0.7 %), p99 18 ms}. */
    public String describe() {
        return String.format(Locale.ROOT, "%d requests, %d 5xx (%.1f %%), p99 %.0f ms", requests, errors5xx,
                errorShare() * 100, p99Ms);
    }
}
