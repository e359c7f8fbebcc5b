package dev.portier.common;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The per-frontend deploy lock, {@code <prefix>deploylock:<host>}: SET NX PX with the owner as
 * value, renewed while held, released only by its owner. The expiry is what frees the lock of a
 * deployer that crashed.
 */
public final class DeployLock implements AutoCloseable {

    private static final String KEY = "deploylock:";

    // Renew and release must check the owner in the same step, or a lock that expired and was
    // taken by someone else would be extended or deleted by its previous holder.
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    private final RedisCommands<String, String> redis;
    private final String key;
    private final String owner;
    private final Duration ttl;
    private final AtomicBoolean held = new AtomicBoolean(true);
    private ScheduledExecutorService renewer;

    private DeployLock(RedisCommands<String, String> redis, String key, String owner, Duration ttl) {
        this.redis = redis;
        this.key = key;
        this.owner = owner;
        this.ttl = ttl;
    }

    /** The lock key for a frontend host. */
    public static String key(RoutingKeys keys, String host) {
        return keys.prefix() + KEY + host;
    }

    /** Who holds a lock and for how much longer. */
    public record Holder(String owner, Duration remaining) {
    }

    /** Thrown when the lock is held by someone else; names the holder. */
    public static final class HeldException extends Exception {
        private final Holder holder;

        HeldException(String key, Holder holder) {
            super(key + " is held by " + holder.owner() + " (expires in "
                    + Math.max(0, holder.remaining().toMillis() / 1000) + " s unless renewed)");
            this.holder = holder;
        }

        public Holder holder() {
            return holder;
        }
    }

    /**
     * Takes the lock at once or throws HeldException naming the holder; never waits. The lock is
     * renewed every third of {@code ttl} until {@link #close()}.
     */
    public static DeployLock acquire(RedisCommands<String, String> redis, RoutingKeys keys, String host,
                                     String owner, Duration ttl) throws HeldException {
        Objects.requireNonNull(owner, "owner");
        String key = key(keys, host);
        String ok = redis.set(key, owner, SetArgs.Builder.nx().px(ttl.toMillis()));
        // a SET whose reply was lost in a failover is sent again after the reconnect (Lettuce
        // retries): it then finds our own value, and the lock is ours
        if (!"OK".equals(ok) && !owner.equals(redis.get(key))) {
            String holder = redis.get(key);
            Long pttl = redis.pttl(key);
            throw new HeldException(key, new Holder(holder == null ? "(released just now)" : holder,
                    Duration.ofMillis(pttl == null || pttl < 0 ? 0 : pttl)));
        }
        DeployLock lock = new DeployLock(redis, key, owner, ttl);
        lock.startRenewing();
        return lock;
    }

    /** The current holder of a frontend's lock, if any. */
    public static Optional<Holder> holder(RedisCommands<String, String> redis, RoutingKeys keys, String host) {
        String key = key(keys, host);
        String owner = redis.get(key);
        if (owner == null) {
            return Optional.empty();
        }
        Long pttl = redis.pttl(key);
        return Optional.of(new Holder(owner, Duration.ofMillis(pttl == null || pttl < 0 ? 0 : pttl)));
    }

    private void startRenewing() {
        long period = Math.max(1, ttl.toMillis() / 3);
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deploy-lock-renewer");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleAtFixedRate(this::renewQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void renewQuietly() {
        try {
            if (!renew()) {
                held.set(false);
            }
        } catch (RuntimeException e) {
            // Redis unreachable for a moment: the next renewal may still succeed before expiry,
            // and the promotion script re-checks ownership anyway.
        }
    }

    /** Stops renewing without releasing, as a crashed deployer would; for tests of the expiry. */
    void abandonForTest() {
        renewer.shutdownNow();
        held.set(false);
    }

    /** Extends the expiry if this owner still holds the lock; returns whether it does. */
    public boolean renew() {
        Long r = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[] {key}, owner, String.valueOf(ttl.toMillis()));
        return r != null && r == 1L;
    }

    /** False once a renewal found the lock gone or taken by someone else. */
    public boolean isHeld() {
        return held.get();
    }

    public String key() {
        return key;
    }

    public String owner() {
        return owner;
    }

    /** Stops renewing and deletes the lock if this owner still holds it. */
    @Override
    public void close() {
        if (renewer != null) {
            renewer.shutdownNow();
        }
        if (held.getAndSet(false)) {
            // a deployer stopped by SIGTERM is interrupted: the release must still go out, or the
            // next deploy is refused until the expiry, naming a process that is gone
            boolean interrupted = Thread.interrupted();
            try {
                redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, owner);
            } catch (RuntimeException e) {
                // Redis is gone: the expiry frees it
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
