package dev.portier.deploy.notify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The webhook payload.
 *
 * @param host      the machine that deployed
 * @param action    {@code deploy} or {@code rollback}
 * @param status    {@code success} or {@code failure}
 * @param duration  seconds from start to end of the command
 * @param error     the failure reason, null on success
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeployEvent(
        String host,
        String app,
        String action,
        String frontend,
        String image,
        String version,
        String container,
        String backend,
        String status,
        double duration,
        String error) {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
}
