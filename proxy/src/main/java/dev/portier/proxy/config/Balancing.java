package dev.portier.proxy.config;

/** How a backend is chosen among a frontend's live ones. */
public enum Balancing {
    /** The top live backend; the others are fallbacks only. */
    FIRST,
    /** A random live backend, as Hipache does. */
    RANDOM,
    /**
     * Live backends in turn: the default, so that a fleet's list (one backend per host) spreads
     * its load; a one-backend list behaves as with FIRST.
     */
    ROUNDROBIN
}
