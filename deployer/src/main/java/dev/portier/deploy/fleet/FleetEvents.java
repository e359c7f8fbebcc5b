package dev.portier.deploy.fleet;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.notify.DeployEvent;
import java.util.stream.Collectors;

/** Tells the webhooks how a fleet deploy or rollback ended: the single-host payload, containers and backends comma-separated. */
record FleetEvents(FleetSession fleet, String action, String app, String frontend, String image, String version) {

    void success(FleetResult r) {
        fleet.webhooks().send(new DeployEvent(fleet.machine(), app, action, frontend, image, r.version(),
                r.containers().stream().map(c -> c.engine().name() + ":" + c.name()).collect(Collectors.joining(",")),
                r.containers().stream().map(c -> c.backend().raw()).collect(Collectors.joining(",")),
                DeployEvent.SUCCESS, seconds(r.took().toNanos()), null));
    }

    void failure(DeployFailure f, long nanos) {
        fleet.webhooks().send(new DeployEvent(fleet.machine(), app, action, frontend, image, version, null, null,
                DeployEvent.FAILURE, seconds(nanos), f.getMessage()));
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }
}
