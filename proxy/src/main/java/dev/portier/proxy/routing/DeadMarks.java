package dev.portier.proxy.routing;

import java.util.BitSet;

/**
 * The dead backend positions of one request host and when they expire. Hipache puts one EXPIRE on
 * the whole {@code dead:<host>} set, so every mark shares one deadline. Immutable: a change makes a
 * new instance, so readers on event loops never lock.
 */
record DeadMarks(BitSet positions, long expiresAtNanos) {

    static final long NEVER = Long.MAX_VALUE;

    boolean isDead(int position, long nowNanos) {
        return nowNanos - expiresAtNanos < 0 && positions.get(position);
    }

    boolean expired(long nowNanos) {
        return nowNanos - expiresAtNanos >= 0;
    }

    /** These marks plus one more, all now lasting until {@code expiresAtNanos} (as EXPIRE would). */
    DeadMarks with(int position, long newExpiry, long nowNanos) {
        BitSet b = expired(nowNanos) ? new BitSet() : (BitSet) positions.clone();
        b.set(position);
        return new DeadMarks(b, newExpiry);
    }
}
