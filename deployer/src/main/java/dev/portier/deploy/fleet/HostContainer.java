package dev.portier.deploy.fleet;

import dev.portier.common.BackendUrl;

/** One host's container of a fleet deploy or rollback, and the backend the list names for it. */
public record HostContainer(Engine engine, String id, String name, BackendUrl backend) {
}
