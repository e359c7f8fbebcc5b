package dev.portier.deploy.fleet;

import dev.portier.common.BackendUrl;
import dev.portier.common.DeployLock;
import dev.portier.common.FrontendWriter;
import dev.portier.common.Replication;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.console.Pause;
import dev.portier.deploy.redis.Locks;
import dev.portier.deploy.rollout.GoLive;
import dev.portier.deploy.rollout.ProxyProbe;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Puts one container per host live in one Redis step (list, dead marks, live records, lock
 * checked), then confirms through the proxy when asked and puts the previous list back if the
 * proxy never routes to the new generation.
 */
final class FleetPromotion {

    private final FleetSession fleet;
    private final GoLive.Checks checks;
    private boolean sent;

    FleetPromotion(FleetSession fleet, GoLive.Checks checks) {
        this.fleet = fleet;
        this.checks = checks;
    }

    /** Whether the promotion was sent, so the list may name the new containers even when no reply came. */
    boolean sent() {
        return sent;
    }

    FrontendWriter.Promotion promote(String frontend, List<HostContainer> generation, DeployLock lock) throws DeployFailure {
        return promote(frontend, generation.stream().map(HostContainer::backend).toList(),
                generation.stream().map(HostContainer::id).toList(), lock);
    }

    /** The list becomes {@code backends} (in order); {@code ids} are the containers recorded live with it. */
    FrontendWriter.Promotion promote(String frontend, List<BackendUrl> backends, List<String> ids, DeployLock lock) throws DeployFailure {
        Console console = fleet.console();
        if (!lock.isHeld()) {
            throw new DeployFailure(ExitCode.LOCK_HELD, "deploy lock " + lock.key() + " was lost while health-checking; not promoted");
        }
        FrontendWriter writer = fleet.routes().writer();
        Map<String, Instant> recordedBefore = new HashMap<>();
        FrontendWriter.Promotion p;
        try {
            Map<String, Instant> times = fleet.routes().liveTimes(frontend);
            ids.forEach(id -> recordedBefore.put(id, times.get(id)));
            sent = true;
            p = writer.promoteAllHolding(frontend, backends, lock.key(), lock.owner(), ids, Instant.now().toEpochMilli());
            if (Replication.await(fleet.routes().sync(), Locks.REPLICA_WAIT).unconfirmed()) {
                // as the single-host promotion: the script is all-or-nothing and checks the lock, so sending it
                // again to whichever server is master now finds it applied, applies it, or is refused
                console.warn("fleet promotion confirmed by no replica within %d s: promoting again on the current master",
                        Locks.REPLICA_WAIT.toSeconds());
                writer.promoteAllHolding(frontend, backends, lock.key(), lock.owner(), ids, Instant.now().toEpochMilli());
                if (Replication.await(fleet.routes().sync(), Locks.REPLICA_WAIT).unconfirmed()) {
                    console.warn("fleet promotion still confirmed by no replica: live on the master, but a failover could undo it");
                }
            }
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).contains(FrontendWriter.LOCK_LOST)) {
                throw new DeployFailure(ExitCode.LOCK_HELD, "not promoted: " + e.getMessage(), e);
            }
            throw failed(frontend, e);
        } catch (RedisCommandInterruptedException e) {
            throw Failures.from(e);
        } catch (RedisException e) {
            throw failed(frontend, e);
        }
        console.step("promoted %s with %d backends at once: %s -> %s (dead marks cleared)", fleet.routes().keys().frontend(frontend),
                backends.size(), p.previous().isEmpty() ? "(absent)" : p.previous(), p.current());
        if (checks.proxyUrl() != null) {
            try {
                confirm(frontend, backends);
            } catch (DeployFailure f) {
                boolean restored = writer.restore(p);
                if (restored) {
                    recordedBefore.forEach((id, before) -> fleet.routes().restoreLiveTime(frontend, id, before));
                }
                console.step(restored ? "previous list restored: %s" : "list changed meanwhile, not restored (now someone else's): %s",
                        p.previous().isEmpty() ? "(absent)" : p.previous());
                throw f;
            }
        }
        return p;
    }

    /** A request with the frontend's Host and X-Debug must come back from one of the new backends. */
    private void confirm(String frontend, List<BackendUrl> backends) throws DeployFailure {
        Set<String> wanted = backends.stream().map(BackendUrl::raw).collect(Collectors.toSet());
        String host = frontend.equals("*") ? "portier-confirm.invalid"
                : frontend.startsWith("*.") ? "portier-confirm" + frontend.substring(1) : frontend;
        long start = System.nanoTime();
        long end = start + checks.confirmDeadline().toNanos();
        String last = "no answer";
        while (true) {
            try {
                ProxyProbe.Answer a = ProxyProbe.get(checks.proxyUrl(), host, "/", Map.of("X-Debug", "1"), Duration.ofSeconds(2));
                String seen = a.headers().get("x-debug-backend-url");
                if (seen != null && wanted.contains(seen)) {
                    fleet.console().step("proxy %s routes %s to %s, one of the new generation (confirmed in %d ms)", checks.proxyUrl(),
                            host, seen, (System.nanoTime() - start) / 1_000_000);
                    return;
                }
                last = "HTTP " + a.status() + ", x-debug-backend-url " + (seen == null ? "absent" : seen);
            } catch (IOException | RuntimeException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (System.nanoTime() > end) {
                throw new DeployFailure(ExitCode.NOT_CONFIRMED, "the proxy at " + checks.proxyUrl() + " did not route " + host
                        + " to any of " + wanted + " within " + checks.confirmDeadline().toMillis() + " ms; last: " + last);
            }
            Pause.of(Duration.ofMillis(100), "while confirming through the proxy at " + checks.proxyUrl());
        }
    }

    private static DeployFailure failed(String frontend, RedisException e) {
        return new DeployFailure(ExitCode.REDIS_UNAVAILABLE, "promotion to frontend " + frontend
                + " failed, Redis did not answer it: " + Failures.rootMessage(e), e);
    }
}
