package dev.portier.proxy;

import dev.portier.proxy.config.ProxySettings;

/** The running proxy: listeners, event loops and the route source. Stub until the relay lands. */
public final class ProxyServer implements AutoCloseable {

    /** Binds every listener and starts routing; throws when a port cannot be bound. */
    public static ProxyServer start(ProxySettings settings) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The port the first listener is bound to (useful with port 0). */
    public int port() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Stops listening, closes every connection and the Redis client. */
    @Override
    public void close() {
    }
}
