package dev.portier.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Warns about the keys of a config object that nothing reads, with the known key a typo most likely meant. */
final class KeyHints {

    /** Further than this many edits, a key is not called a typo of another. */
    private static final int MAX_DISTANCE = 2;

    private KeyHints() {
    }

    /** One warning per key of {@code object} not in {@code known}; {@code prefix} is where the object sits. */
    static void check(String prefix, JsonNode object, Set<String> known, Notices n) {
        object.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                String hint = closest(k, known);
                n.warn(prefix + k + ": unknown key, ignored"
                        + (hint == null ? "" : " (did you mean " + prefix + hint + "?)"));
            }
        });
    }

    /** The known key a typo most likely meant, or null when none is close. */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String k : new TreeSet<>(known)) {
            int dist = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (dist < bestDistance) {
                bestDistance = dist;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
