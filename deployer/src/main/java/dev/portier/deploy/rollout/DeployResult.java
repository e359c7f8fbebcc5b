package dev.portier.deploy.rollout;

import dev.portier.common.BackendUrl;
import java.time.Duration;
import java.util.List;

/** What a successful deploy or rollback put live, and what it replaced. */
public record DeployResult(String containerId, String containerName, String version, BackendUrl backend,
                           List<String> previousList, List<String> currentList, Duration took) {
}
