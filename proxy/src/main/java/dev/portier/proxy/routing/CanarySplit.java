package dev.portier.proxy.routing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The sticky split between a canary and the live list. Every client has a 64-bit id (from its
 * cookie, else from its address); its bucket for a frontend is {@code mix(id ^ hash(frontend)) mod
 * 100}, and buckets below the canary's percent go to the canary. So a client keeps its version while
 * the share is unchanged, raising the share only moves live clients to the canary (never back), and
 * a fleet of proxies agrees without sharing state. The hashes are fixed (no per-process seed).
 */
public final class CanarySplit {

    /** What the split decided for one request. */
    public record Decision(boolean canary, int bucket, int percent, String newCookieId) {
    }

    private CanarySplit() {
    }

    /** The client's bucket, 0..99, for a frontend. */
    public static int bucket(long clientId, long frontendHash) {
        return (int) Long.remainderUnsigned(mix(clientId ^ frontendHash), 100);
    }

    /**
     * Decides one request of a frontend with a canary. A client without a cookie is bucketed by its
     * address; it is given a new random cookie id in the same bucket, so that its next requests
     * (now with the cookie) see the version this one saw.
     */
    public static Decision decide(Canary c, String cookieHeader, String forwardedFor, String peerIp) {
        long id = ClientKey.fromCookie(cookieHeader);
        String newId = null;
        if (id == ClientKey.NONE) {
            int b = bucket(ClientKey.fromAddress(forwardedFor, peerIp), c.frontendHash());
            id = idInBucket(b, c.frontendHash());
            newId = ClientKey.format(id);
        }
        int b = bucket(id, c.frontendHash());
        return new Decision(b < c.percent(), b, c.percent(), newId);
    }

    /** A random id (never {@link ClientKey#NONE}) whose bucket is {@code bucket}; about 100 tries of a cheap mix. */
    static long idInBucket(int bucket, long frontendHash) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            long id = r.nextLong();
            if (id != ClientKey.NONE && bucket(id, frontendHash) == bucket) {
                return id;
            }
        }
    }

    /** FNV-1a over the key's chars, mixed: stable across processes and JVM versions (unlike String.hashCode's spread). */
    public static long frontendHash(String key) {
        return mix(fnv(key));
    }

    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: every input bit moves every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
