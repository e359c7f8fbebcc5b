package dev.portier.proxy.config;

/** How a backend is chosen among a frontend's live ones. */
public enum Balancing {
    /** The top live backend: what the deployer promotes gets every request. */
    FIRST,
    /** A random live backend, as Hipache does. */
    RANDOM,
    /** Live backends in turn. */
    ROUNDROBIN
}
