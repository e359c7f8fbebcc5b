package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Pause;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Confirms a promotion from the outside: a request with the frontend's Host and {@code X-Debug}
 * must come back through the proxy with {@code x-debug-backend-url} naming the new backend.
 */
public record ProxyConfirmation(URI proxyUrl, Duration deadline, Console console) {

    /** Host header used for the catch-all frontend, which any name reaches. */
    static final String CATCH_ALL_PROBE_HOST = "portier-confirm.invalid";

    /** Returns once the proxy routes to {@code expected}; throws exit code 7 when it never does. */
    public void confirm(String frontend, BackendUrl expected) throws DeployFailure {
        String host = hostFor(frontend);
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        String last = "no answer";
        while (true) {
            try {
                ProxyProbe.Answer a = ProxyProbe.get(proxyUrl, host, "/", Map.of("X-Debug", "1"), Duration.ofSeconds(2));
                String seen = a.headers().get("x-debug-backend-url");
                if (expected.raw().equals(seen)) {
                    console.step("proxy %s routes %s to %s (confirmed in %d ms)", proxyUrl, host, seen,
                            (System.nanoTime() - start) / 1_000_000);
                    return;
                }
                last = "HTTP " + a.status() + ", x-debug-backend-url " + (seen == null ? "absent" : seen);
            } catch (IOException | RuntimeException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (System.nanoTime() > end) {
                throw new DeployFailure(ExitCode.NOT_CONFIRMED, "the proxy at " + proxyUrl + " did not route " + host
                        + " to " + expected + " within " + deadline.toMillis() + " ms; last: " + last);
            }
            Pause.of(Duration.ofMillis(100), "while confirming through the proxy at " + proxyUrl);
        }
    }

    /** A Host header that the frontend matches: itself, or a made-up name under a wildcard. */
    static String hostFor(String frontend) {
        if (frontend.equals("*")) {
            return CATCH_ALL_PROBE_HOST;
        }
        if (frontend.startsWith("*.")) {
            return "portier-confirm" + frontend.substring(1);
        }
        return frontend;
    }
}
