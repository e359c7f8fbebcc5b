package dev.portier.deploy.docker;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.portier.common.BackendUrl;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the proxy reaches a web container: its bridge IP and container port (the old script's
 * way, {@code container-ip}), or a random port published on a host address, giving
 * {@code http://<address>:<published port>}.
 *
 * @param hostAddress the host address ports are published on, or null for container-ip mode
 * @param network     in container-ip mode, the network whose IP to use (null: the only or first one)
 */
public record BackendAddressing(String hostAddress, String network) {

    public static final String CONTAINER_IP = "container-ip";

    /** A port Docker published: host IP, container port, host port. */
    public record Published(String hostIp, int privatePort, int publicPort) {
    }

    /** {@code container-ip} or a host address such as {@code 127.0.0.1}. */
    public static BackendAddressing parse(String value) {
        return parse(value, null);
    }

    public static BackendAddressing parse(String value, String network) {
        if (value == null || value.isBlank() || CONTAINER_IP.equalsIgnoreCase(value.trim())) {
            return new BackendAddressing(null, network);
        }
        return new BackendAddressing(value.trim(), network);
    }

    public boolean published() {
        return hostAddress != null;
    }

    /** The label value that records this mode. */
    public String label() {
        return published() ? hostAddress : CONTAINER_IP;
    }

    /** The port binding to request at create time; empty in container-ip mode, where nothing is published. */
    public Optional<PortBinding> binding(int containerPort) {
        return binding(containerPort, null);
    }

    /** The same, on a given host port; null lets Docker choose one. */
    public Optional<PortBinding> binding(int containerPort, Integer hostPort) {
        if (!published()) {
            return Optional.empty();
        }
        Ports.Binding host = hostPort == null ? Ports.Binding.bindIp(hostAddress) : Ports.Binding.bindIpAndPort(hostAddress, hostPort);
        return Optional.of(new PortBinding(host, ExposedPort.tcp(containerPort)));
    }

    /** The backend URL for a container with these network IPs and published ports, once Docker has assigned them. */
    public Optional<BackendUrl> backendOf(int containerPort, Map<String, String> networkIps, List<Published> ports) {
        if (published()) {
            for (Published p : ports) {
                if (p.privatePort() == containerPort && p.publicPort() > 0
                        && (p.hostIp() == null || p.hostIp().equals(hostAddress) || "0.0.0.0".equals(p.hostIp()))) {
                    return Optional.of(BackendUrl.of(hostAddress, p.publicPort()));
                }
            }
            return Optional.empty();
        }
        String ip = network != null ? networkIps.get(network)
                : networkIps.values().stream().filter(s -> !s.isEmpty()).findFirst().orElse(null);
        return ip == null || ip.isEmpty() ? Optional.empty() : Optional.of(BackendUrl.of(ip, containerPort));
    }
}
