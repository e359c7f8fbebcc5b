package dev.portier.deploy.history;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * One entry of the deploy history, as stored (JSON) in the {@code deploys} list.
 *
 * @param at         when it ended, epoch milliseconds
 * @param by         who ran it, {@code user@host}
 * @param command    {@code deploy}, {@code rollback}, {@code watch} or {@code auto-rollback}
 * @param outcome    {@code success}, {@code refused}, {@code failed} or {@code rolled-back}
 * @param durationMs how long it took
 * @param detail     the reason of a refusal or failure, the backend of a success; may be null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeployRecord(long at, String frontend, String app, String version, String image, String container, String by,
                           String command, String outcome, long durationMs, String detail) {

    public static final String SUCCESS = "success";
    /** The new version never went live (unhealthy, not confirmed by the proxy); the live one stayed. */
    public static final String REFUSED = "refused";
    /** Docker, Redis, the lock or the operator stopped it; the live version stayed. */
    public static final String FAILED = "failed";
    /** It went live and was taken back automatically. */
    public static final String ROLLED_BACK = "rolled-back";

    public Instant when() {
        return Instant.ofEpochMilli(at);
    }
}
