package dev.portier.deploy.rollout;

import dev.portier.deploy.traffic.BackendFigures;
import java.util.Locale;

/**
 * Judges a new version (a canary, or one just promoted) against a reference (the live version
 * over the same minutes, or the previous version before the promotion), from the proxies'
 * figures. Pure: the same figures always give the same verdict.
 *
 * <ul>
 *   <li>5xx: the new version fails, as soon as it is seen, when its 5xx share is above the reference's by more than
 *       {@code maxErrorRateIncrease} (percentage points, as a fraction).</li>
 *   <li>p99: it fails when, at the end of the window, its p99 is above both {@code maxP99Ratio}
 *       times the reference's and {@code p99FloorMs} (below the floor latency is noise, not a
 *       regression). A reference with
 *       fewer than {@code minRequests} requests has no meaningful p99: then p99 is not judged and
 *       its 5xx share counts as 0.</li>
 *   <li>Before {@code minRequests} requests it waits, unless the failure is already certain: the
 *       5xx seen would exceed the limit even if every request up to the minimum succeeded.</li>
 *   <li>When the window is over with fewer than {@code minRequests} requests the verdict is
 *       {@link Outcome#INCONCLUSIVE}: a canary is then not promoted, a promoted version is kept.</li>
 * </ul>
 */
public record CanaryVerdict(Thresholds thresholds) {

    /** How the reason of an {@link Outcome#INCONCLUSIVE} verdict for too little traffic begins. */
    static final String TOO_FEW = "too few requests";

    /**
     * The limits a new version is held to.
     *
     * @param maxErrorRateIncrease allowed rise of the 5xx share over the reference's, as a fraction (0.01 = 1 point)
     * @param maxP99Ratio          allowed ratio of the new p99 to the reference's
     * @param p99FloorMs           a p99 at or below this never fails
     * @param minRequests          requests to the new version before it is judged
     */
    public record Thresholds(double maxErrorRateIncrease, double maxP99Ratio, double p99FloorMs, long minRequests) {

        /** 1 point of 5xx, twice the p99 (above 200 ms), after 50 requests. */
        public static final Thresholds DEFAULTS = new Thresholds(0.01, 2.0, 200, 50);

        public Thresholds {
            if (maxErrorRateIncrease < 0 || maxErrorRateIncrease > 1) {
                throw new IllegalArgumentException("the allowed 5xx increase must be within 0..100 %: " + maxErrorRateIncrease);
            }
            if (!(maxP99Ratio >= 1)) {
                throw new IllegalArgumentException("the p99 ratio must be at least 1: " + maxP99Ratio);
            }
            if (p99FloorMs < 0 || minRequests < 0) {
                throw new IllegalArgumentException("the p99 floor and the minimum of requests cannot be negative");
            }
        }
    }

    /** What to do now. */
    public enum Outcome {
        /** Not enough seen yet, and the window is not over. */
        WAIT,
        /** The window is over and the new version held the limits. */
        PASS,
        /** The new version broke a limit: take it away. */
        FAIL,
        /** The window is over with too few requests to judge. */
        INCONCLUSIVE
    }

    /** The outcome and the figures that decided it, for the log line and the webhook. */
    public record Verdict(Outcome outcome, String reason) {
    }

    /** Judges {@code candidate} against {@code reference}; {@code windowOver} when the watch time is up. */
    public Verdict judge(BackendFigures candidate, BackendFigures reference, boolean windowOver) {
        boolean referenceKnown = reference.requests() >= thresholds.minRequests() && reference.requests() > 0;
        double referenceShare = referenceKnown ? reference.errorShare() : 0;
        double shareLimit = referenceShare + thresholds.maxErrorRateIncrease();
        String figures = "new " + candidate.describe() + "; reference " + reference.describe()
                + (referenceKnown ? "" : " (too few requests: judged against 0 % 5xx, p99 not judged)");
        if (candidate.requests() < thresholds.minRequests()) {
            double certainShare = (double) candidate.errors5xx() / thresholds.minRequests();
            if (certainShare > shareLimit) {
                return new Verdict(Outcome.FAIL, String.format(Locale.ROOT,
                        "%d 5xx in the first %d requests: above %.1f %% whatever the next ones do (limit %.1f %%); %s",
                        candidate.errors5xx(), candidate.requests(), certainShare * 100, shareLimit * 100, figures));
            }
            if (windowOver) {
                return new Verdict(Outcome.INCONCLUSIVE, String.format(Locale.ROOT,
                        TOO_FEW + ": %d reached the new version, %d needed to judge it; %s",
                        candidate.requests(), thresholds.minRequests(), figures));
            }
            return new Verdict(Outcome.WAIT, figures);
        }
        if (candidate.errorShare() > shareLimit) {
            return new Verdict(Outcome.FAIL, String.format(Locale.ROOT,
                    "5xx share %.1f %% above the limit %.1f %% (reference %.1f %% + %.1f points); %s",
                    candidate.errorShare() * 100, shareLimit * 100, referenceShare * 100, thresholds.maxErrorRateIncrease() * 100,
                    figures));
        }
        // latency is judged over the whole window only: a fresh container's first requests are slow
        // (caches, JIT), and over a few dozen requests p99 is little more than the slowest one
        if (referenceKnown && windowOver) {
            double p99Limit = Math.max(reference.p99Ms() * thresholds.maxP99Ratio(), thresholds.p99FloorMs());
            if (candidate.p99Ms() > p99Limit) {
                return new Verdict(Outcome.FAIL, String.format(Locale.ROOT,
                        "p99 %.0f ms above the limit %.0f ms (reference %.0f ms x %.1f, floor %.0f ms); %s",
                        candidate.p99Ms(), p99Limit, reference.p99Ms(), thresholds.maxP99Ratio(), thresholds.p99FloorMs(), figures));
            }
        }
        return new Verdict(windowOver ? Outcome.PASS : Outcome.WAIT, figures);
    }
}
