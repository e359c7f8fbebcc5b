package dev.portier.deploy.cli;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.notify.Webhooks;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a result is confirmed (the proxy) and reported (webhooks); shared by deploy, rollback and watch. */
public final class NotifyOptions {

    @Option(names = "--proxy-url", description = {"Confirm the switch through this proxy, e.g.", "  http://127.0.0.1:80",
                    "a request with the frontend's Host and X-Debug must reach the new backend."})
    URI proxyUrl;

    @Option(names = "--confirm-deadline", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long the proxy may take to follow a promotion (default: ${DEFAULT-VALUE}).")
    Duration confirmDeadline;

    @Option(names = "--webhook", description = "URL told of every success and failure (repeatable).")
    List<URI> webhooks = new ArrayList<>();

    @Option(names = "--success-webhook", description = "URL told of successes only (repeatable).")
    List<URI> successWebhooks = new ArrayList<>();

    @Option(names = "--failure-webhook", description = "URL told of failures only (repeatable).")
    List<URI> failureWebhooks = new ArrayList<>();

    @Option(names = "--webhook-attempts", defaultValue = "3", description = "Tries per webhook (default: ${DEFAULT-VALUE}).")
    int webhookAttempts;

    @Option(names = "--webhook-backoff", defaultValue = "1s", converter = DurationConverter.class,
            description = "Pause before the first retry, doubled after each (default: ${DEFAULT-VALUE}).")
    Duration webhookBackoff;

    Webhooks webhooks(Console console) {
        List<URI> success = new ArrayList<>(webhooks);
        success.addAll(successWebhooks);
        List<URI> failure = new ArrayList<>(webhooks);
        failure.addAll(failureWebhooks);
        return new Webhooks(success, failure, webhookAttempts, webhookBackoff, console);
    }
}
