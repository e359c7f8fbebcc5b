package dev.portier.common;

import java.util.Objects;

/** Hipache's Redis key and channel names, under the driver URL's optional prefix. */
public record RoutingKeys(String prefix) {

    /** Pub/sub channel Hipache publishes dead marks on; never prefixed. */
    public static final String DEAD_CHANNEL = "dead";
    /** Key the external hipache-hchecker refreshes with unix seconds; never prefixed. */
    public static final String HCHECKER_PING = "hchecker_ping";

    private static final String FRONTEND = "frontend:";
    private static final String DEAD = "dead:";
    private static final String LIVE = "live:";
    private static final String CANARY = "canary:";
    private static final String MAINTENANCE = "maintenance:";
    private static final String PAUSE = "pause:";
    private static final String ROLLED_BACK = "rolledback:";
    private static final String DEPLOYS = "deploys";

    public RoutingKeys {
        Objects.requireNonNull(prefix, "prefix");
    }

    public static RoutingKeys unprefixed() {
        return new RoutingKeys("");
    }

    public String frontend(String host) {
        return prefix + FRONTEND + host;
    }

    public String dead(String host) {
        return prefix + DEAD + host;
    }

    /**
     * The deployer's record of when each container was last made live for a host: a hash from
     * container id to epoch milliseconds, written by the promotion itself. The proxy never reads it.
     */
    public String live(String host) {
        return prefix + LIVE + host;
    }

    /** A frontend's canary: a hash with {@code backend} (a URL as in the list) and {@code percent} (0..100). */
    public String canary(String host) {
        return prefix + CANARY + host;
    }

    /** A frontend's maintenance mode: a hash with optional {@code message} and {@code retryAfter} (seconds). */
    public String maintenance(String host) {
        return prefix + MAINTENANCE + host;
    }

    /** A frontend's pause: a hash with optional {@code maxHold} (seconds); new requests wait while it exists. */
    public String pause(String host) {
        return prefix + PAUSE + host;
    }

    /**
     * The version the deployer rolled back by itself (a rejected canary or a regression after a
     * promotion): a string; watch mode does not deploy it again until the wanted version changes.
     * The proxy never reads it.
     */
    public String rolledBack(String host) {
        return prefix + ROLLED_BACK + host;
    }

    /** A SCAN/PSUBSCRIBE pattern for every canary key (glob characters in the prefix are escaped). */
    public String canaryPattern() {
        return escapeGlob(prefix) + CANARY + "*";
    }

    /** A SCAN/PSUBSCRIBE pattern for every maintenance key (glob characters in the prefix are escaped). */
    public String maintenancePattern() {
        return escapeGlob(prefix) + MAINTENANCE + "*";
    }

    /** A SCAN/PSUBSCRIBE pattern for every pause key (glob characters in the prefix are escaped). */
    public String pausePattern() {
        return escapeGlob(prefix) + PAUSE + "*";
    }

    /** The host part of a canary key, or null when the key is not one of ours. */
    public String hostOfCanaryKey(String key) {
        return suffixAfter(key, prefix + CANARY);
    }

    /** The host part of a maintenance key, or null when the key is not one of ours. */
    public String hostOfMaintenanceKey(String key) {
        return suffixAfter(key, prefix + MAINTENANCE);
    }

    /** The host part of a pause key, or null when the key is not one of ours. */
    public String hostOfPauseKey(String key) {
        return suffixAfter(key, prefix + PAUSE);
    }

    /**
     * The deploy history of every frontend: a list of JSON entries, newest first, bounded by the
     * deployer (see the deployer's {@code DeployHistory}). The proxy never reads it.
     */
    public String history() {
        return prefix + DEPLOYS;
    }

    /** A SCAN/KEYS pattern for every frontend key (glob characters in the prefix are escaped). */
    public String frontendPattern() {
        return escapeGlob(prefix) + FRONTEND + "*";
    }

    /** A SCAN/PSUBSCRIBE pattern for every dead-mark key (glob characters in the prefix are escaped). */
    public String deadPattern() {
        return escapeGlob(prefix) + DEAD + "*";
    }

    /** The host part of a frontend key, or null when the key is not one of ours. */
    public String hostOfFrontendKey(String key) {
        return suffixAfter(key, prefix + FRONTEND);
    }

    /** The host part of a dead-mark key, or null when the key is not one of ours. */
    public String hostOfDeadKey(String key) {
        return suffixAfter(key, prefix + DEAD);
    }

    private static String suffixAfter(String key, String head) {
        return key != null && key.startsWith(head) ? key.substring(head.length()) : null;
    }

    static String escapeGlob(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
