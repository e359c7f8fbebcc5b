package dev.portier.proxy.relay;

/**
 * Whether the proxy is draining for a shutdown: kept-alive connections get {@code Connection: close}
 * on their next response and idle ones are closed (through {@link #EVENT} fired on each channel).
 */
public final class Drain {

    /** Fired through every client pipeline when draining starts. */
    public static final Object EVENT = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private volatile boolean draining;

    public boolean isDraining() {
        return draining;
    }

    public void start() {
        draining = true;
    }
}
