package dev.portier.proxy.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-frontend figures over the last minute for the status page: requests per second, 5xx share,
 * p50 and p99. Each request adds to running totals (a few atomic increments on the event loop);
 * {@link #sample()}, run every few seconds off the event loops, copies the totals into a short
 * ring, and {@link #window()} subtracts the oldest copy from the live totals.
 */
public final class RecentStats {

    /** Latency buckets: two per power of two of microseconds, so a bucket spans at most 41 %. */
    private static final int BUCKETS = 2 * 40;

    private final Map<String, Totals> totals = new ConcurrentHashMap<>();
    private final Deque<Sample> ring = new ArrayDeque<>();
    private final long windowNanos;

    /** @param windowNanos how far back {@link #window()} looks once enough samples exist */
    public RecentStats(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** The running totals of one frontend key; the caller caps the number of keys. */
    Totals totals(String key) {
        return totals.computeIfAbsent(key, k -> new Totals());
    }

    /** Copies the running totals; call every few seconds from one thread that is not an event loop. */
    public synchronized void sample() {
        long now = System.nanoTime();
        Map<String, long[]> copy = new LinkedHashMap<>();
        totals.forEach((k, t) -> copy.put(k, t.copy()));
        ring.addLast(new Sample(now, copy));
        // keep one sample at least the window old, so the window is full once the proxy has run that long
        while (ring.size() > 1 && now - ring.stream().skip(1).findFirst().orElseThrow().nanos >= windowNanos) {
            ring.removeFirst();
        }
    }

    /** Figures per frontend key since the oldest kept sample (or since start when none is kept yet). */
    public synchronized Map<String, Object> window() {
        long now = System.nanoTime();
        Sample oldest = ring.peekFirst();
        double seconds = oldest == null ? 0 : (now - oldest.nanos) / 1e9;
        Map<String, Object> fronts = new TreeMap<>();
        totals.forEach((key, t) -> {
            long[] live = t.copy();
            long[] before = oldest == null ? null : oldest.totals.get(key);
            long[] d = new long[live.length];
            for (int i = 0; i < live.length; i++) {
                d[i] = live[i] - (before == null ? 0 : before[i]);
            }
            long requests = d[0];
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("requests", requests);
            one.put("rps", seconds <= 0 ? null : Math.round(requests / seconds * 100) / 100.0);
            one.put("errorShare", requests == 0 ? null : (double) d[1] / requests);
            one.put("p50Ms", requests == 0 ? null : quantileMillis(d, requests, 0.50));
            one.put("p99Ms", requests == 0 ? null : quantileMillis(d, requests, 0.99));
            fronts.put(key, one);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windowSeconds", Math.round(seconds));
        out.put("frontends", fronts);
        return out;
    }

    /** The q-quantile, interpolated inside its bucket as Prometheus' histogram_quantile does. */
    private static double quantileMillis(long[] d, long count, double q) {
        return quantileMillis(d, 2, 0, BUCKETS, count, q);
    }

    /**
     * The q-quantile of a histogram held in {@code d[offset..offset+n)}, whose first slot is this
     * class's bucket {@code firstBucket} (a shorter histogram may start above bucket 0).
     */
    static double quantileMillis(long[] d, int offset, int firstBucket, int n, long count, double q) {
        double rank = q * count;
        long seen = 0;
        for (int i = 0; i < n; i++) {
            long c = d[offset + i];
            if (c > 0 && seen + c >= rank) {
                double lo = lowerMicros(firstBucket + i);
                double hi = lowerMicros(firstBucket + i + 1);
                double micros = lo + (hi - lo) * (rank - seen) / c;
                return Math.round(micros / 10.0) / 100.0;
            }
            seen += c;
        }
        return lowerMicros(firstBucket + n) / 1000.0;
    }

    static int bucket(long micros) {
        if (micros < 1) {
            return 0;
        }
        int msb = 63 - Long.numberOfLeadingZeros(micros);
        int half = msb == 0 ? 0 : (int) ((micros >>> (msb - 1)) & 1);
        return Math.min(BUCKETS - 1, 2 * msb + half);
    }

    static double lowerMicros(int bucket) {
        int msb = bucket / 2;
        return (bucket % 2 == 0 ? 1.0 : 1.5) * Math.pow(2, msb);
    }

    /** Running totals of one key: requests, 5xx, then the latency buckets. */
    static final class Totals {
        private final LongAdder requests = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final AtomicLongArray latency = new AtomicLongArray(BUCKETS);

        void record(int status, long nanos) {
            latency.incrementAndGet(bucket(nanos / 1000));
            if (status >= 500 && status < 600) {
                errors.increment();
            }
            // counted last, so a concurrent copy never holds more requests than buckets
            requests.increment();
        }

        long[] copy() {
            long[] out = new long[2 + BUCKETS];
            out[0] = requests.sum();
            out[1] = errors.sum();
            for (int i = 0; i < BUCKETS; i++) {
                out[2 + i] = latency.get(i);
            }
            return out;
        }
    }

    private record Sample(long nanos, Map<String, long[]> totals) {
    }
}
