package dev.portier.proxy.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's meters (Micrometer): Prometheus text for the admin listener, and StatsD pushes when
 * an agent is configured. Per-request meters are looked up once per frontend key and cached, and
 * the number of frontend tags is capped, because keys come from Redis and must not grow without end.
 */
public final class ProxyMetrics implements AutoCloseable {

    static final int MAX_FRONTENDS = 1000;
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StatsdMeterRegistry statsd;
    private final Map<String, PerFrontend> requests = new ConcurrentHashMap<>();
    private final RecentStats recent = new RecentStats(60_000_000_000L);
    private final BackendStats backends;
    private final Timer total;
    private final Timer backend;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter retries;
    private final Counter deadMarks;

    /**
     * @param statsdHost null for no StatsD push
     * @param flavor     datadog, etsy or telegraf
     */
    public ProxyMetrics(String statsdHost, int statsdPort, String flavor) {
        if (statsdHost != null) {
            statsd = new StatsdMeterRegistry(new StatsdConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public StatsdFlavor flavor() {
                    return switch (flavor) {
                        case "etsy" -> StatsdFlavor.ETSY;
                        case "telegraf" -> StatsdFlavor.TELEGRAF;
                        default -> StatsdFlavor.DATADOG;
                    };
                }

                @Override
                public String host() {
                    return statsdHost;
                }

                @Override
                public int port() {
                    return statsdPort;
                }

                @Override
                public Duration pollingFrequency() {
                    return Duration.ofSeconds(10);
                }
            }, Clock.SYSTEM);
            CompositeMeterRegistry both = new CompositeMeterRegistry();
            both.add(prometheus);
            both.add(statsd);
            registry = both;
        } else {
            // without StatsD, meters go straight to Prometheus: a composite costs a hop per record
            statsd = null;
            registry = prometheus;
        }
        // histogram buckets, from which Prometheus (histogram_quantile) and Datadog compute percentiles;
        // client-side percentiles cost an HdrHistogram update per request on the event loop
        total = Timer.builder("portier.request.duration").description("time from request head to response end")
                .publishPercentileHistogram().register(registry);
        backend = Timer.builder("portier.backend.duration").description("time from backend request to response head")
                .publishPercentileHistogram().register(registry);
        bytesIn = Counter.builder("portier.bytes.in").description("request body bytes from clients").register(registry);
        bytesOut = Counter.builder("portier.bytes.out").description("response body bytes to clients").register(registry);
        retries = Counter.builder("portier.retries").description("requests retried on another backend").register(registry);
        deadMarks = Counter.builder("portier.backend.dead.marks").description("backends marked dead").register(registry);
        backends = new BackendStats(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** One finished request; frontendKey null when no frontend matched. */
    public void request(String frontendKey, int status, long totalNanos, long backendNanos, long in, long out) {
        request(frontendKey, null, status, totalNanos, backendNanos, in, out);
    }

    /**
     * One finished request; frontendKey null when no frontend matched, backend (its URL as listed)
     * null when none was chosen.
     */
    public void request(String frontendKey, String backendUrl, int status, long totalNanos, long backendNanos, long in,
                        long out) {
        PerFrontend front = front(frontendKey);
        if (backendUrl != null) {
            backends.series(front.backends(), front.key(), backendUrl).record(status, totalNanos);
        }
        int c = status / 100 - 1;
        if (c >= 0 && c < CLASSES.length) {
            front.byClass()[c].increment();
        }
        front.recent().record(status, totalNanos);
        total.record(totalNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (backendNanos >= 0) {
            backend.record(backendNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (in > 0) {
            bytesIn.increment(in);
        }
        if (out > 0) {
            bytesOut.increment(out);
        }
    }

    /**
     * An attempt that failed and was retried on another backend: one request and one 5xx of the
     * backend it went to (the final attempt is counted by {@link #request}).
     */
    public void failedAttempt(String frontendKey, String backend, int status, long nanos) {
        PerFrontend front = front(frontendKey);
        backends.series(front.backends(), front.key(), backend).record(status, nanos);
    }

    private PerFrontend front(String frontendKey) {
        String key = frontendKey == null ? "none" : frontendKey;
        PerFrontend front = requests.get(key);
        if (front == null) {
            front = requests.size() >= MAX_FRONTENDS ? requests.computeIfAbsent("other", this::perFrontend)
                    : requests.computeIfAbsent(key, this::perFrontend);
        }
        return front;
    }

    private PerFrontend perFrontend(String frontend) {
        Counter[] out = new Counter[CLASSES.length];
        for (int i = 0; i < CLASSES.length; i++) {
            out[i] = Counter.builder("portier.requests").description("requests answered")
                    .tag("frontend", frontend).tag("status", CLASSES[i]).register(registry);
        }
        return new PerFrontend(frontend, out, recent.totals(frontend), backends.frontend(frontend));
    }

    /** The last minute per frontend, for the status page (latency kept here, not as per-frontend histograms). */
    public RecentStats recent() {
        return recent;
    }

    /** Per-(frontend, backend) figures, for /backends and the deployer's canary judgement. */
    public BackendStats backends() {
        return backends;
    }

    private record PerFrontend(String key, Counter[] byClass, RecentStats.Totals recent,
                               Map<String, BackendStats.Series> backends) {
    }

    public void retry() {
        retries.increment();
    }

    public void deadMark() {
        deadMarks.increment();
    }

    /** Registers a gauge read when metrics are scraped or pushed. */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
        Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    /**
     * Registers a counter whose running total is kept elsewhere. Micrometer holds {@code source}
     * weakly (there is no strongReference for function counters), so pass an object that lives as
     * long as the proxy.
     */
    public <T> void counter(String name, String description, T source, ToDoubleFunction<T> total) {
        FunctionCounter.builder(name, source, total).description(description).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return prometheus.scrape();
    }

    @Override
    public void close() {
        if (statsd != null) {
            statsd.close();
        }
        prometheus.close();
        if (registry != prometheus) {
            registry.close();
        }
    }
}
