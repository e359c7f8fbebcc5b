package dev.portier.deploy.fleet;

import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.history.DeployHistory;
import dev.portier.deploy.history.DeployRecord;
import dev.portier.deploy.notify.DeployEvent;
import java.util.stream.Collectors;

/**
 * Tells the webhooks and the deploy history how a fleet deploy or rollback ended: the single-host
 * payload and entry, containers ({@code host:name}) and backends comma-separated.
 */
record FleetEvents(FleetSession fleet, String action, String app, String frontend, String image, String version) {

    void success(FleetResult r) {
        String containers = r.containers().stream().map(c -> c.engine().name() + ":" + c.name()).collect(Collectors.joining(","));
        String backends = r.containers().stream().map(c -> c.backend().raw()).collect(Collectors.joining(","));
        fleet.webhooks().send(new DeployEvent(fleet.machine(), app, action, frontend, image, r.version(), containers, backends,
                DeployEvent.SUCCESS, seconds(r.took().toNanos()), null));
        remember(r.version(), containers, DeployRecord.SUCCESS, r.took().toMillis(), "live at " + backends);
    }

    void failure(DeployFailure f, long nanos) {
        fleet.webhooks().send(new DeployEvent(fleet.machine(), app, action, frontend, image, version, null, null,
                DeployEvent.FAILURE, seconds(nanos), f.getMessage()));
        boolean refused = f.exitCode() == ExitCode.DEPLOY_FAILED || f.exitCode() == ExitCode.NOT_CONFIRMED;
        remember(version, null, refused ? DeployRecord.REFUSED : DeployRecord.FAILED, Math.round(nanos / 1e6),
                f.getMessage() + " (exit " + f.exitCode() + ")");
    }

    /** A Redis that cannot take the entry costs a warning, never the result. */
    private void remember(String v, String containers, String outcome, long millis, String detail) {
        try {
            new DeployHistory(fleet.routes().sync(), fleet.routes().keys()).record(new DeployRecord(System.currentTimeMillis(),
                    frontend, app, v, image, containers, DeployHistory.operator(fleet.machine()), action, outcome,
                    millis, detail));
        } catch (RuntimeException e) {
            fleet.console().warn("deploy history not written: %s", Failures.rootMessage(e));
        }
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }
}
