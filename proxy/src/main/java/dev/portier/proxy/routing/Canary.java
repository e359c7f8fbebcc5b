package dev.portier.proxy.routing;

import dev.portier.common.BackendUrl;
import java.util.Map;

/**
 * A frontend's canary, from {@code canary:<host>}: the backend that gets {@code percent} of the
 * clients (by their sticky bucket), the rest going to the frontend's list.
 *
 * @param frontendHash the frontend key's hash, mixed into every client's bucket (see {@link CanarySplit})
 */
public record Canary(BackendUrl backend, int percent, long frontendHash) {

    /**
     * Reads a HGETALL reply; null when the hash is empty.
     *
     * @throws IllegalArgumentException naming the field when the backend or the percent is unusable
     */
    static Canary fromHash(String frontendKey, Map<String, String> hash) {
        if (hash == null || hash.isEmpty()) {
            return null;
        }
        String raw = hash.get("backend");
        BackendUrl backend = raw == null ? null : BackendUrl.parseOrNull(raw.trim());
        if (backend == null) {
            throw new IllegalArgumentException("field backend is " + (raw == null ? "missing" : "'" + raw + "'")
                    + ", not a backend URL such as http://127.0.0.1:8080");
        }
        String p = hash.get("percent");
        int percent;
        try {
            percent = Integer.parseInt(p == null ? "" : p.trim());
        } catch (NumberFormatException e) {
            percent = -1;
        }
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("field percent is " + (p == null ? "missing" : "'" + p + "'")
                    + ", not an integer from 0 to 100");
        }
        return new Canary(backend, percent, CanarySplit.frontendHash(frontendKey));
    }
}
