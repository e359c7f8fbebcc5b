package dev.portier.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One {@code frontend:<host>} list as Hipache lays it out: element 0 a free-text identifier,
 * then backend URLs. Backends keep their position (0-based after the identifier) because dead
 * marks name positions; an unusable URL stays in its place as a null entry.
 */
public record Frontend(String key, String identifier, List<String> rawBackends, List<BackendUrl> backends) {

    /** Reads a list as LRANGE 0 -1 returns it; null for an empty or missing list. */
    public static Frontend fromList(String key, List<String> list) {
        if (list == null || list.isEmpty()) {
            return null;
        }
        List<String> raw = List.copyOf(list.subList(1, list.size()));
        List<BackendUrl> parsed = new ArrayList<>(raw.size());
        for (String r : raw) {
            parsed.add(BackendUrl.parseOrNull(r));
        }
        return new Frontend(key, list.get(0), raw, Collections.unmodifiableList(parsed));
    }

    /** The list as it is stored: identifier first, then the backend URLs. */
    public List<String> toList() {
        List<String> out = new ArrayList<>(rawBackends.size() + 1);
        out.add(identifier);
        out.addAll(rawBackends);
        return out;
    }

    public int size() {
        return rawBackends.size();
    }

    /** The backend at a position, or null when that entry is not a usable URL. */
    public BackendUrl backend(int position) {
        return backends.get(position);
    }
}
