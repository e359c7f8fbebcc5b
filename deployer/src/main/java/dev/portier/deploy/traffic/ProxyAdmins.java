package dev.portier.deploy.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin listeners of the proxies in front of a frontend (a fleet has several), read through
 * their {@code GET /backends?window=S} JSON view and added together, since each proxy sees only
 * its own share of the traffic.
 */
public final class ProxyAdmins {

    /** The longest window the proxies keep figures for; a longer one is asked as this. */
    public static final int MAX_WINDOW_SECONDS = 600;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<URI> admins;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

    public ProxyAdmins(List<URI> admins) {
        this.admins = List.copyOf(admins);
    }

    public List<URI> admins() {
        return admins;
    }

    /** The window, in whole seconds (at least 1, at most {@link #MAX_WINDOW_SECONDS}), that covers {@code d}. */
    public static int windowCovering(Duration d) {
        long s = (d.toMillis() + 999) / 1000;
        return (int) Math.max(1, Math.min(MAX_WINDOW_SECONDS, s));
    }

    /** The frontend's figures per backend over the last {@code windowSeconds}, summed over every admin that answered. */
    public TrafficSnapshot read(String frontend, int windowSeconds) {
        Map<String, BackendFigures> sum = new HashMap<>();
        List<String> failures = new ArrayList<>();
        int answered = 0;
        for (URI admin : admins) {
            try {
                readOne(admin, frontend, windowSeconds).forEach((b, f) -> sum.merge(b, f, BackendFigures::plus));
                answered++;
            } catch (IOException e) {
                failures.add(admin + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(admin + ": interrupted");
                break;
            }
        }
        return new TrafficSnapshot(windowSeconds, Map.copyOf(sum), answered, List.copyOf(failures));
    }

    private Map<String, BackendFigures> readOne(URI admin, String frontend, int windowSeconds) throws IOException, InterruptedException {
        URI uri = URI.create(admin.toString().replaceAll("/+$", "") + "/backends?window=" + windowSeconds);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from " + uri);
        }
        return parse(r.body(), frontend);
    }

    /** The backends of one frontend in a {@code /backends} document; empty when the proxy has seen none. */
    static Map<String, BackendFigures> parse(String body, String frontend) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("not the /backends JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("frontends").isObject()) {
            throw new IOException("not the /backends JSON: no \"frontends\" object");
        }
        Map<String, BackendFigures> out = new HashMap<>();
        JsonNode backends = root.path("frontends").path(frontend).path("backends");
        for (Map.Entry<String, JsonNode> e : backends.properties()) {
            JsonNode b = e.getValue();
            out.put(e.getKey(), new BackendFigures(b.path("requests").asLong(), b.path("errors5xx").asLong(), b.path("p99Ms").asDouble()));
        }
        return out;
    }
}
