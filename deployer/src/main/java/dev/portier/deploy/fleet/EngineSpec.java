package dev.portier.deploy.fleet;

import java.net.URI;
import java.util.Objects;

/**
 * One Docker engine of a fleet, as configured: a name for messages and status, the engine's URL,
 * the address its containers' ports are published on (which every proxy must reach), and TLS.
 *
 * @param tlsVerify null keeps DOCKER_TLS_VERIFY
 * @param certPath  directory with ca.pem, cert.pem, key.pem; null keeps DOCKER_CERT_PATH
 */
public record EngineSpec(String name, String docker, String address, Boolean tlsVerify, String certPath) {

    public EngineSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(docker, "docker");
        Objects.requireNonNull(address, "address");
    }

    /** An engine named by its URL alone ({@code --docker-host} repeated): its containers are reached at the URL's host. */
    public static EngineSpec fromUrl(String docker) {
        String host = hostOf(docker);
        if (host == null) {
            throw new IllegalArgumentException("--docker-host " + docker + ": several engines need the address their containers"
                    + " are reached at, and a unix socket names none; list the engines in a --hosts file with an address each");
        }
        return new EngineSpec(host, docker, host, null, null);
    }

    /** The host of a tcp://, ssh:// or http(s):// URL; null for a unix socket or npipe. */
    static String hostOf(String docker) {
        try {
            URI u = URI.create(docker.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if (scheme.equals("unix") || scheme.equals("npipe")) {
                return null;
            }
            String host = u.getHost();
            return host == null || host.isEmpty() ? null : host.replaceAll("^\\[|]$", "");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return name + " (" + docker + ")";
    }
}
