package dev.portier.deploy.fleet;

import java.time.Duration;
import java.util.List;

/** What a fleet deploy or rollback put live on every host, and the list it replaced. */
public record FleetResult(String version, List<HostContainer> containers, List<String> previousList, List<String> currentList,
                          Duration took) {
}
