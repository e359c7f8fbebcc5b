package dev.portier.common.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one real redis-server per test class; register it as a static field with
 * {@code @RegisterExtension}. Gives a Lettuce connection for test writes and FLUSHALL between uses.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new RedisServer().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown();
        }
        server.close();
    }

    public RedisServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public String driverUrl() {
        return server.driverUrl();
    }

    /** Synchronous commands on a connection owned by the test, as redis-cli would send them. */
    public synchronized RedisCommands<String, String> sync() {
        if (connection == null) {
            client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + server.port()));
            connection = client.connect();
        }
        return connection.sync();
    }

    public void flushAll() {
        sync().flushall();
    }
}
