package dev.portier.deploy.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.deploy.console.Console;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts a {@link DeployEvent} as JSON to the success or failure URLs, retrying a few times with
 * a growing pause; a webhook that never answers is reported but never changes the outcome.
 */
public final class Webhooks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final List<URI> onSuccess;
    private final List<URI> onFailure;
    private final int attempts;
    private final Duration backoff;
    private final Console console;

    public Webhooks(List<URI> onSuccess, List<URI> onFailure, int attempts, Duration backoff, Console console) {
        this.onSuccess = List.copyOf(onSuccess);
        this.onFailure = List.copyOf(onFailure);
        this.attempts = Math.max(1, attempts);
        this.backoff = backoff;
        this.console = console;
    }

    /** No URLs: nothing is sent. */
    public static Webhooks none(Console console) {
        return new Webhooks(List.of(), List.of(), 1, Duration.ZERO, console);
    }

    /** Sends to every URL for the event's status; returns how many accepted it. */
    public int send(DeployEvent event) {
        List<URI> targets = DeployEvent.SUCCESS.equals(event.status()) ? onSuccess : onFailure;
        if (targets.isEmpty()) {
            return 0;
        }
        String body;
        try {
            body = JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            console.warn("webhook: cannot encode event: %s", e.getMessage());
            return 0;
        }
        int accepted = 0;
        for (URI uri : targets) {
            if (post(uri, body)) {
                accepted++;
            }
        }
        return accepted;
    }

    private boolean post(URI uri, String body) {
        List<String> errors = new ArrayList<>();
        Duration pause = backoff;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() >= 200 && r.statusCode() < 300) {
                    console.step("webhook %s accepted (HTTP %d)", uri, r.statusCode());
                    return true;
                }
                errors.add("HTTP " + r.statusCode());
            } catch (IOException e) {
                errors.add(e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.add("interrupted");
                break;
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                pause = pause.multipliedBy(2);
            }
        }
        console.warn("webhook %s failed after %d attempt(s): %s", uri, errors.size(), String.join(", ", errors));
        return false;
    }
}
