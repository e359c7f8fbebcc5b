package dev.portier.deploy.fleet;

import dev.portier.common.RedisDriverUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.redis.Routes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What a fleet command talks to: Redis, and every engine it could reach (each pinged in
 * parallel); the ones it could not are kept with the reason, so that a deploy refuses naming them
 * while status and watch carry on with the others.
 */
public final class FleetSession implements AutoCloseable {

    private final Console console;
    private final Routes routes;
    private final Webhooks webhooks;
    private final String machine;
    private final List<EngineSpec> specs;
    private final Map<String, Engine> reachable;
    private final Map<String, DeployFailure> unreachable;

    private FleetSession(Console console, Routes routes, Webhooks webhooks, String machine, List<EngineSpec> specs,
                         Map<String, Engine> reachable, Map<String, DeployFailure> unreachable) {
        this.console = console;
        this.routes = routes;
        this.webhooks = webhooks;
        this.machine = machine;
        this.specs = specs;
        this.reachable = reachable;
        this.unreachable = unreachable;
    }

    /** Opens Redis (failing with exit 5), then every engine; engines that do not answer are noted, not thrown. */
    public static FleetSession open(Console console, RedisDriverUrl redis, Webhooks webhooks, String machine, List<EngineSpec> specs)
            throws DeployFailure {
        Routes routes = Routes.connect(redis);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(specs.size(), 8));
        Map<String, Engine> ok = new LinkedHashMap<>();
        Map<String, DeployFailure> failed = new LinkedHashMap<>();
        try {
            List<Future<Engine>> pings = new ArrayList<>();
            for (EngineSpec s : specs) {
                pings.add(pool.submit(() -> Engine.open(s, console)));
            }
            for (int i = 0; i < specs.size(); i++) {
                try {
                    ok.put(specs.get(i).name(), pings.get(i).get());
                } catch (ExecutionException e) {
                    failed.put(specs.get(i).name(), Failures.from(e.getCause() instanceof Exception x ? x : e));
                }
            }
        } catch (InterruptedException e) {
            ok.values().forEach(Engine::close);
            routes.close();
            throw new DeployFailure(ExitCode.INTERRUPTED, "while connecting to the engines");
        } finally {
            pool.shutdownNow();
        }
        return new FleetSession(console, routes, webhooks, machine, specs, ok, failed);
    }

    public Console console() {
        return console;
    }

    public Routes routes() {
        return routes;
    }

    public Webhooks webhooks() {
        return webhooks;
    }

    public String machine() {
        return machine;
    }

    /** Every configured host, in the hosts file's order. */
    public List<EngineSpec> specs() {
        return specs;
    }

    /** The engines that answered, in order. */
    public List<Engine> reachable() {
        List<Engine> out = new ArrayList<>();
        for (EngineSpec s : specs) {
            Engine e = reachable.get(s.name());
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** Why each host that did not answer did not, by host name. */
    public Map<String, DeployFailure> unreachable() {
        return unreachable;
    }

    /** Every engine, or exit code 4 naming each host that did not answer (a deploy or rollback needs them all). */
    public List<Engine> all() throws DeployFailure {
        if (!unreachable.isEmpty()) {
            StringBuilder b = new StringBuilder();
            unreachable.values().forEach(f -> b.append(b.length() == 0 ? "" : "; ").append(f.getMessage()));
            throw new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, b + " — nothing was started; the live version keeps serving");
        }
        return reachable();
    }

    @Override
    public void close() {
        reachable.values().forEach(Engine::close);
        routes.close();
    }
}
