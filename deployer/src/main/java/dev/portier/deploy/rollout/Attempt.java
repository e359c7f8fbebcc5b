package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.notify.DeployEvent;
import dev.portier.deploy.session.Session;

/**
 * What a deploy or rollback has reached so far (its container, that container's backend, whether
 * the promotion went out), so that the webhook and the clean-up of a failure know what to name and
 * what to take away.
 */
final class Attempt {

    private final String action;
    private final String app;
    private final String frontend;
    private final long startNanos = System.nanoTime();
    private String image;
    private String version;
    private String container;
    private BackendUrl backend;
    private boolean promotionSent;
    private boolean promotionUnreplicated;

    Attempt(String action, String app, String frontend, String image, String version) {
        this.action = action;
        this.app = app;
        this.frontend = frontend;
        this.image = image;
        this.version = version;
    }

    void target(String newImage, String newVersion, String containerName) {
        image = newImage;
        version = newVersion;
        container = containerName;
    }

    void container(String name) {
        container = name;
    }

    void backend(BackendUrl url) {
        backend = url;
    }

    BackendUrl backend() {
        return backend;
    }

    /** No replica confirmed the promotion: retention must keep the previous containers (a failover could bring them back). */
    void promotionUnreplicated() {
        promotionUnreplicated = true;
    }

    boolean isPromotionUnreplicated() {
        return promotionUnreplicated;
    }

    void promotionSent() {
        promotionSent = true;
    }

    /** Whether the promotion was sent, so the list may name the container even when the reply never came. */
    boolean isPromotionSent() {
        return promotionSent;
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** The work of a deploy or rollback, run by {@link #conclude}. */
    interface Body {
        DeployResult run() throws DeployFailure;
    }

    /** Runs the body and tells the webhooks how it ended, once; every failure leaves as a DeployFailure with its exit code. */
    DeployResult conclude(Session session, Body body) throws DeployFailure {
        try {
            DeployResult result = body.run();
            report(session, DeployEvent.SUCCESS, null);
            return result;
        } catch (DeployFailure | RuntimeException e) {
            DeployFailure f = Failures.settle(e);
            if (f.exitCode() == ExitCode.INTERRUPTED) {
                f = new DeployFailure(ExitCode.INTERRUPTED, action + " interrupted " + f.getMessage(), f).withLogTail(f.logTail());
            }
            report(session, DeployEvent.FAILURE, f.getMessage());
            throw f;
        }
    }

    private void report(Session session, String status, String error) {
        session.webhooks().send(new DeployEvent(session.machine(), app, action, frontend, image, version, container,
                backend == null ? null : backend.raw(), status, Math.round(elapsedNanos() / 1e6) / 1000.0, error));
    }
}
