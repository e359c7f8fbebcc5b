package dev.portier.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;

/**
 * Requests, 5xx and latency per (frontend, backend), so that a canary can be compared with the live
 * version over the same seconds. Each request adds to running totals (a few atomic increments, as
 * {@link RecentStats}); {@link #sample()}, run every second off the event loops, keeps the
 * second's difference in a ring of {@link #RETENTION_SECONDS} (only for seconds with requests), and
 * {@link #window} adds up the last seconds plus the running one. The totals also back Micrometer
 * function meters, so /metrics costs the hot path nothing more. Series of backends that left the
 * table and had no request for the retention are dropped with their meters.
 */
public final class BackendStats {

    /** How far back a window may look. */
    public static final int RETENTION_SECONDS = 600;
    /** Series kept at most (backends come from Redis); past it new backends share one "other" series per frontend. */
    static final int MAX_SERIES = 2000;
    static final String OTHER = "other";
    /** The latency histogram: {@link RecentStats}' buckets from 8 µs (bucket 6) to 134 s, the ends clamped. */
    static final int FIRST_BUCKET = 6;
    static final int LATENCY_BUCKETS = 48;
    private static final int SWEEP_EVERY_SECONDS = 10;

    private final MeterRegistry registry;
    private final Map<String, Map<String, Series>> byFrontend = new ConcurrentHashMap<>();
    private final AtomicInteger seriesCount = new AtomicInteger();
    private final java.util.function.LongSupplier clock;
    private final long startNanos;
    /** The second of the last sample (seconds since start), or -1; only the sampling thread writes it. */
    private long sampledSecond = -1;

    BackendStats(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    /** @param clock nanoseconds, as System.nanoTime (tests move time on by hand) */
    BackendStats(MeterRegistry registry, java.util.function.LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    /** The series map of one frontend key, for the caller to cache (ProxyMetrics keeps it per frontend). */
    Map<String, Series> frontend(String frontendKey) {
        return byFrontend.computeIfAbsent(frontendKey, k -> new ConcurrentHashMap<>());
    }

    /** The series of a backend within a frontend's map; created (and its meters registered) on first use. */
    Series series(Map<String, Series> front, String frontendKey, String backend) {
        Series s = front.get(backend);
        if (s != null) {
            return s;
        }
        String key = seriesCount.get() >= MAX_SERIES ? OTHER : backend;
        return front.computeIfAbsent(key, b -> {
            seriesCount.incrementAndGet();
            return new Series(frontendKey, b, registry);
        });
    }

    /**
     * Keeps the last second's figures; every few seconds also drops series of backends that are not
     * routed any more and had no request for the retention. Call every second from one thread that
     * is not an event loop.
     *
     * @param routed whether (frontend key, backend URL) is in the routing table now (listed or canary)
     */
    public synchronized void sample(BiPredicate<String, String> routed) {
        long second = (clock.getAsLong() - startNanos) / 1_000_000_000L;
        if (second == sampledSecond) {
            return;
        }
        sampledSecond = second;
        boolean sweep = second % SWEEP_EVERY_SECONDS == 0;
        byFrontend.forEach((front, series) -> series.values().removeIf(s -> {
            s.sample(second);
            if (sweep && second - s.lastActiveSecond > RETENTION_SECONDS && !routed.test(front, s.backend)) {
                s.meters.forEach(registry::remove);
                seriesCount.decrementAndGet();
                return true;
            }
            return false;
        }));
    }

    /**
     * Figures over the last {@code seconds} (1..{@link #RETENTION_SECONDS}), as the admin
     * listener's {@code /backends} shows them: every frontend with figures or a canary, each with
     * the backends that have figures and those routed now.
     *
     * @param routed  backend URLs listed per frontend key now
     * @param canary  the canary backend URL per frontend key (only frontends with one)
     */
    public synchronized Map<String, Object> window(int seconds, Map<String, List<String>> routed,
                                                   Map<String, String> canary) {
        long now = (clock.getAsLong() - startNanos) / 1_000_000_000L;
        Map<String, Object> fronts = new TreeMap<>();
        Set<String> keys = new java.util.HashSet<>(canary.keySet());
        byFrontend.forEach((k, v) -> {
            if (!v.isEmpty()) {
                keys.add(k);
            }
        });
        for (String front : keys) {
            Map<String, Series> series = byFrontend.getOrDefault(front, Map.of());
            List<String> names = new ArrayList<>(series.keySet());
            for (String b : routed.getOrDefault(front, List.of())) {
                if (!series.containsKey(b) && !names.contains(b)) {
                    names.add(b);
                }
            }
            String c = canary.get(front);
            if (c != null && !names.contains(c)) {
                names.add(c);
            }
            Map<String, Object> backends = new TreeMap<>();
            for (String b : names) {
                Series s = series.get(b);
                long[] d = s == null ? new long[3 + LATENCY_BUCKETS] : s.window(seconds, now);
                backends.put(b, figures(d, b.equals(c)));
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("backends", backends);
            fronts.put(front, one);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windowSeconds", seconds);
        out.put("frontends", fronts);
        return out;
    }

    private static Map<String, Object> figures(long[] d, boolean canary) {
        long requests = d[0];
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("requests", requests);
        one.put("errors5xx", d[1]);
        one.put("p50Ms", requests == 0 ? null : RecentStats.quantileMillis(d, 3, FIRST_BUCKET, LATENCY_BUCKETS, requests, 0.50));
        one.put("p99Ms", requests == 0 ? null : RecentStats.quantileMillis(d, 3, FIRST_BUCKET, LATENCY_BUCKETS, requests, 0.99));
        one.put("canary", canary);
        return one;
    }

    /** Series held now (for tests of the sweep). */
    int seriesCount() {
        return seriesCount.get();
    }

    /** Running totals of one (frontend, backend), and the per-second ring behind its windows. */
    static final class Series {
        final String backend;
        private final LongAdder requests = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS);
        final List<Meter> meters = new ArrayList<>(3);
        // owned by the sampling thread (under BackendStats' lock)
        private long[] last = new long[3 + LATENCY_BUCKETS];
        private final int[][] ring = new int[RETENTION_SECONDS][];
        private final long[] ringSecond = new long[RETENTION_SECONDS];
        long lastActiveSecond;

        Series(String frontend, String backend, MeterRegistry registry) {
            this.backend = backend;
            java.util.Arrays.fill(ringSecond, -1);
            meters.add(FunctionCounter.builder("portier.backend.requests", requests, LongAdder::sum)
                    .description("requests sent to a backend (a failed attempt retried elsewhere included)")
                    .tag("frontend", frontend).tag("backend", backend).register(registry));
            meters.add(FunctionCounter.builder("portier.backend.errors", errors, LongAdder::sum)
                    .description("5xx answers of a backend, and 502/504 the proxy gave for it")
                    .tag("frontend", frontend).tag("backend", backend).register(registry));
            meters.add(FunctionTimer.builder("portier.backend.request.duration", this, s -> s.requests.sum(),
                            s -> s.nanos.sum(), TimeUnit.NANOSECONDS)
                    .description("time from request head to response end, per backend")
                    .tag("frontend", frontend).tag("backend", backend).register(registry));
        }

        /** One request's end; event-loop safe, no allocation. */
        void record(int status, long totalNanos) {
            int b = RecentStats.bucket(totalNanos / 1000) - FIRST_BUCKET;
            latency.incrementAndGet(b < 0 ? 0 : Math.min(b, LATENCY_BUCKETS - 1));
            if (status >= 500 && status < 600) {
                errors.increment();
            }
            nanos.add(totalNanos);
            // counted last, so a concurrent copy never holds more requests than buckets
            requests.increment();
        }

        /** requests, 5xx, total nanos, then the latency buckets. */
        private long[] copy() {
            long[] out = new long[3 + LATENCY_BUCKETS];
            out[0] = requests.sum();
            out[1] = errors.sum();
            out[2] = nanos.sum();
            for (int i = 0; i < LATENCY_BUCKETS; i++) {
                out[3 + i] = latency.get(i);
            }
            return out;
        }

        private void sample(long second) {
            long[] now = copy();
            int slot = (int) (second % RETENTION_SECONDS);
            if (now[0] == last[0]) {
                ring[slot] = null;
            } else {
                int[] d = new int[3 + LATENCY_BUCKETS];
                for (int i = 0; i < d.length; i++) {
                    // nanos do not fit an int and no window needs them
                    d[i] = i == 2 ? 0 : (int) Math.min(Integer.MAX_VALUE, now[i] - last[i]);
                }
                ring[slot] = d;
                lastActiveSecond = second;
            }
            ringSecond[slot] = second;
            last = now;
        }

        /** The sums over the last {@code seconds} sampled seconds plus what came since the last sample. */
        private long[] window(int seconds, long nowSecond) {
            long[] live = copy();
            long[] out = new long[3 + LATENCY_BUCKETS];
            for (int i = 0; i < out.length; i++) {
                out[i] = live[i] - last[i];
            }
            for (int k = 0; k < Math.min(seconds, RETENTION_SECONDS); k++) {
                long sec = nowSecond - k;
                if (sec < 0) {
                    break;
                }
                int slot = (int) (sec % RETENTION_SECONDS);
                int[] d = ring[slot];
                if (d != null && ringSecond[slot] == sec) {
                    for (int i = 0; i < out.length; i++) {
                        out[i] += d[i];
                    }
                }
            }
            return out;
        }
    }
}
