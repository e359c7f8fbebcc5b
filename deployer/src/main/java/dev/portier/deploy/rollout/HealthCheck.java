package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Pause;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polls a container over HTTP every interval until it answers 2xx, exits, or the deadline passes,
 * printing a progress line per attempt.
 *
 * @param interval time between attempts (5 s by default, as the script)
 * @param deadline total time allowed (5 min by default)
 */
public record HealthCheck(Duration interval, Duration deadline, Console console) {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** Returns once healthy; throws exit code 1 with the reason (last answer, or why it stopped) otherwise. */
    public void await(BackendUrl backend, String path, Supplier<Optional<String>> stopped) throws DeployFailure {
        URI uri = URI.create(backend.raw() + (path.startsWith("/") ? path : "/" + path));
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        Duration requestTimeout = interval.compareTo(Duration.ofSeconds(2)) > 0 ? interval : Duration.ofSeconds(2);
        int attempt = 0;
        String last = "no answer yet";
        while (true) {
            attempt++;
            long attemptStart = System.nanoTime();
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() >= 200 && r.statusCode() < 300) {
                    console.step("health: %s answered %d after %d attempt(s), %.1f s: healthy",
                            uri, r.statusCode(), attempt, seconds(System.nanoTime() - start));
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                throw Pause.interrupted("during the health check of " + backend);
            }
            Optional<String> why = stopped.get();
            if (why.isPresent()) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, "never healthy: " + why.get());
            }
            long now = System.nanoTime();
            if (now >= end) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, "never healthy within " + deadline.toSeconds()
                        + " s (" + attempt + " attempts), last answer: " + last);
            }
            console.step("health: attempt %d, %.1f s of %d s: %s", attempt, seconds(now - start), deadline.toSeconds(), last);
            // the last sleep ends exactly at the deadline, so a slow starter gets one attempt there
            long wait = Math.min(attemptStart + interval.toNanos(), end) - now;
            if (wait > 0) {
                Pause.of(Duration.ofNanos(wait), "during the health check of " + backend);
            }
        }
    }

    private static boolean tryOnce(URI uri, Duration timeout) {
        try {
            int s = HTTP.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return s >= 200 && s < 300;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One quick probe, for status: true on 2xx. */
    public static boolean probe(BackendUrl backend, String path, Duration timeout) {
        return tryOnce(URI.create(backend.raw() + (path.startsWith("/") ? path : "/" + path)), timeout);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
