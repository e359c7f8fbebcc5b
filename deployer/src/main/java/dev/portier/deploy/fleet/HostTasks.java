package dev.portier.deploy.fleet;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs one task per host, at most {@code limit} at a time (Kamal's boot limit), and stops the
 * others at the first failure: a fleet step succeeds on every host or fails naming the host.
 */
final class HostTasks {

    private HostTasks() {
    }

    /** The results in the hosts' order, or the failure of the first host that failed, its name in front. */
    static <T> List<T> run(List<Engine> engines, int limit, Function<Engine, Callable<T>> task) throws DeployFailure {
        int threads = limit <= 0 ? engines.size() : Math.min(limit, engines.size());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "fleet-host");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
        Map<Future<T>, Engine> futures = new LinkedHashMap<>();
        Map<Engine, T> results = new HashMap<>();
        Map<Engine, DeployFailure> failures = new LinkedHashMap<>();
        try {
            for (Engine e : engines) {
                futures.put(done.submit(task.apply(e)), e);
            }
            for (int i = 0; i < engines.size(); i++) {
                Future<T> f = done.take();
                Engine e = futures.get(f);
                try {
                    results.put(e, f.get());
                } catch (CancellationException ignored) {
                    // stopped because another host failed
                } catch (ExecutionException x) {
                    DeployFailure failure = engineFailure(x.getCause() instanceof Exception c ? c : x);
                    if (failures.isEmpty() || failure.exitCode() != ExitCode.INTERRUPTED) {
                        failures.put(e, failure);
                    }
                    if (failures.size() == 1) {
                        futures.keySet().forEach(other -> other.cancel(true));
                    }
                }
            }
        } catch (InterruptedException x) {
            futures.keySet().forEach(f -> f.cancel(true));
            stop(pool);
            throw new DeployFailure(ExitCode.INTERRUPTED, "while working on " + engines.size() + " hosts");
        }
        stop(pool);
        if (!failures.isEmpty()) {
            throw named(failures);
        }
        List<T> out = new ArrayList<>();
        engines.forEach(e -> out.add(results.get(e)));
        return out;
    }

    /**
     * The failure of a host's task; an engine that stopped answering mid-task (docker-java reports
     * it as a bare RuntimeException around an IOException) is exit code 4, like one that never answered.
     */
    static DeployFailure engineFailure(Exception e) {
        if (!(e instanceof DeployFailure)) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof IOException) {
                    return new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "Docker stopped answering: " + Failures.rootMessage(e), e);
                }
            }
        }
        return Failures.from(e);
    }

    /** One failure naming every host that failed; the first one's exit code and log lines. */
    private static DeployFailure named(Map<Engine, DeployFailure> failures) {
        StringBuilder b = new StringBuilder();
        DeployFailure first = null;
        for (Map.Entry<Engine, DeployFailure> f : failures.entrySet()) {
            if (first == null) {
                first = f.getValue();
            }
            b.append(b.length() == 0 ? "" : "; ").append("host ").append(f.getKey().name()).append(": ").append(f.getValue().getMessage());
        }
        return new DeployFailure(first.exitCode(), b.toString(), first).withLogTail(first.logTail());
    }

    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            // a task blocked in a Docker call ends with that call's timeout; do not wait past it
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
