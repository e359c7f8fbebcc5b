package dev.portier.deploy.testing;

import static org.awaitility.Awaitility.await;

import dev.portier.deploy.rollout.ProxyProbe;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Requests sent through the proxy without pause by a few threads, as many distinct clients (each
 * its own {@code X-Forwarded-For}, which the canary split is sticky on), alternating the paths
 * given; every answer is kept with the backend that gave it ({@code X-Debug}).
 */
public final class ProxyLoad implements AutoCloseable {

    /** One request as the client saw it; {@code error} is set when no HTTP answer came (connection refused, reset, timeout). */
    public record Sample(long startNanos, long endNanos, int client, String path, int status, String retryAfter, String backend,
                         String body, String error) {

        public boolean failed() {
            return error != null || status != 200;
        }
    }

    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    private ProxyLoad() {
    }

    /** Starts {@code threads} threads sending GETs with {@code Host: host} to the paths in turn, from {@code clients} clients. */
    public static ProxyLoad start(URI proxy, String host, int threads, int clients, String... paths) {
        ProxyLoad load = new ProxyLoad();
        AtomicLong n = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (!load.stop.get()) {
                    long i = n.getAndIncrement();
                    int client = (int) (i % clients);
                    String path = paths[(int) (i / clients % paths.length)];
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("X-Debug", "1");
                    headers.put("X-Forwarded-For", "10.77." + client / 250 + "." + (client % 250 + 1));
                    long s = System.nanoTime();
                    try {
                        ProxyProbe.Answer a = ProxyProbe.get(proxy, host, path, headers, Duration.ofSeconds(10));
                        load.samples.add(new Sample(s, System.nanoTime(), client, path, a.status(), a.headers().get("retry-after"),
                                a.headers().get("x-debug-backend-url"), a.body().trim(), null));
                    } catch (Exception e) {
                        load.samples.add(new Sample(s, System.nanoTime(), client, path, 0, null, null, null, e.toString()));
                    }
                }
            }, "load-" + t);
            th.start();
            load.threads.add(th);
        }
        return load;
    }

    /** Waits (up to 30 s) until {@code more} further answers came. */
    public void awaitMore(int more) {
        int target = samples.size() + more;
        await().atMost(Duration.ofSeconds(30)).until(() -> samples.size() >= target);
    }

    /** Waits (up to {@code within}) until an answer started after now matches. */
    public Sample awaitAnswer(Duration within, java.util.function.Predicate<Sample> p) {
        long since = System.nanoTime();
        return await().atMost(within).until(() -> {
            synchronized (samples) {
                for (int i = samples.size() - 1; i >= 0; i--) {
                    Sample s = samples.get(i);
                    if (s.startNanos() > since && p.test(s)) {
                        return s;
                    }
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }

    /** A copy of every answer so far. */
    public List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /** The answers whose request started when {@code start} holds. */
    public List<Sample> startedWhen(LongPredicate start) {
        return samples().stream().filter(s -> start.test(s.startNanos())).toList();
    }

    /** Stops the threads and waits for them. */
    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
