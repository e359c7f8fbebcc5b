package dev.portier.deploy.docker;

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
    /** ISO-8601 instant of the container's creation; orders containers whose time live is not recorded. */
    public static final String DEPLOYED_AT = "dev.portier.deployed-at";
    /** The container port the backend is served on, so a rollback needs no options. */
    public static final String PORT = "dev.portier.port";
    public static final String HEALTH_PATH = "dev.portier.health-path";
    /** {@code container-ip} or the host address ports were published on. */
    public static final String BACKEND_ADDRESS = "dev.portier.backend-address";
    /**
     * {@value #LIVE_RECORD_REDIS}: when this container was last made live is recorded in Redis
     * ({@code <prefix>live:<frontend>}); no entry there means it never served. Containers of
     * deployers before this label are ordered by {@link #DEPLOYED_AT} instead.
     */
    public static final String LIVE_RECORD = "dev.portier.live-record";
    public static final String LIVE_RECORD_REDIS = "redis";

    public static final String ROLE_WEB = "web";

    private Labels() {
    }
}
