package dev.portier.proxy.routing;

import static dev.portier.proxy.routing.RouteLog.LOG;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Turns on the keyspace notifications the key index needs, added to the flags the server has. */
final class NotificationFlags {

    private static final String SETTING = "notify-keyspace-events";

    private final Duration refreshInterval;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param refreshInterval what keeps the table fresh when the flags cannot be set (named in the warning) */
    NotificationFlags(Duration refreshInterval) {
        this.refreshInterval = refreshInterval;
    }

    /** Turns the notifications we need on; completes with whether they are on. */
    CompletableFuture<Boolean> enable(RedisAsyncCommands<String, String> redis) {
        return redis.configGet(SETTING).thenCompose(current -> {
            String flags = current.getOrDefault(SETTING, "");
            String wanted = merge(flags);
            return wanted.equals(flags) ? CompletableFuture.completedFuture("OK")
                    : redis.configSet(SETTING, wanted);
        }).toCompletableFuture().handle((ok, err) -> {
            if (err != null && warned.compareAndSet(false, true)) {
                LOG.warn("cannot turn on Redis keyspace notifications ({}): changes are seen by the refresh every {} ms,"
                        + " and every new Host header is looked up in Redis", err.getMessage(), refreshInterval.toMillis());
            }
            return err == null;
        });
    }

    /** Adds what we need (K: keyspace channel; g, l, s, h, x: generic, list, set, hash, expired) to the server's flags. */
    static String merge(String current) {
        StringBuilder b = new StringBuilder(current);
        boolean all = current.indexOf('A') >= 0;
        for (char c : new char[] {'K', 'g', 'l', 's', 'h', 'x'}) {
            if (current.indexOf(c) < 0 && !(all && c != 'K')) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
