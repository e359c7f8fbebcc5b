package dev.portier.deploy;

/**
 * The labels every container we start carries, so that status, rollback and prune find
 * everything from Docker itself and nothing lives only in the deployer's memory.
 */
public final class Labels {
    /** What the container is for: {@code web} for deployed versions, {@code redis} and {@code proxy} for bootstrap. */
    public static final String ROLE = "dev.portier.role";
    /** Which bootstrap installation a Redis or proxy container belongs to. */
    public static final String INSTANCE = "dev.portier.instance";
    public static final String APP = "dev.portier.app";
    public static final String FRONTEND = "dev.portier.frontend";
    public static final String VERSION = "dev.portier.version";
    public static final String IMAGE = "dev.portier.image";
    /** ISO-8601 instant; orders containers for rollback and retention. */
    public static final String DEPLOYED_AT = "dev.portier.deployed-at";
    /** The container port the backend is served on, so a rollback needs no options. */
    public static final String PORT = "dev.portier.port";
    public static final String HEALTH_PATH = "dev.portier.health-path";
    /** {@code container-ip} or the host address ports were published on. */
    public static final String BACKEND_ADDRESS = "dev.portier.backend-address";

    public static final String ROLE_WEB = "web";

    private Labels() {
    }
}
