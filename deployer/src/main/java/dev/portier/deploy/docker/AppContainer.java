package dev.portier.deploy.docker;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import dev.portier.common.BackendUrl;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One deployed web container as Docker lists it, read back from its labels.
 *
 * @param liveRecorded whether promotions record in Redis when it was live (see {@link Labels#LIVE_RECORD})
 * @param options      the extra ports, limits, labels and hosts it was deployed with, from its labels
 */
public record AppContainer(
        String id,
        String name,
        String app,
        String frontend,
        String version,
        String image,
        String imageId,
        Instant deployedAt,
        int port,
        String healthPath,
        BackendAddressing addressing,
        String state,
        String status,
        Map<String, String> networkIps,
        List<BackendAddressing.Published> published,
        boolean liveRecorded,
        ContainerOptions options) {

    /** Reads a listed container; labels that are missing or garbled become neutral values. */
    public static AppContainer from(Container c) {
        Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
        Map<String, String> ips = new LinkedHashMap<>();
        if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
            for (Map.Entry<String, ContainerNetwork> e : c.getNetworkSettings().getNetworks().entrySet()) {
                String ip = e.getValue().getIpAddress();
                if (ip != null && !ip.isEmpty()) {
                    ips.put(e.getKey(), ip);
                }
            }
        }
        List<BackendAddressing.Published> published = new ArrayList<>();
        if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getPublicPort() != null && p.getPrivatePort() != null) {
                    published.add(new BackendAddressing.Published(p.getIp(), p.getPrivatePort(), p.getPublicPort()));
                }
            }
        }
        String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
        return new AppContainer(c.getId(), name, l.get(Labels.APP), l.get(Labels.FRONTEND), l.getOrDefault(Labels.VERSION, "?"),
                l.getOrDefault(Labels.IMAGE, c.getImage()), c.getImageId(), instant(l.get(Labels.DEPLOYED_AT)),
                integer(l.get(Labels.PORT)), l.getOrDefault(Labels.HEALTH_PATH, "/"),
                BackendAddressing.parse(l.getOrDefault(Labels.BACKEND_ADDRESS, BackendAddressing.CONTAINER_IP)),
                c.getState(), c.getStatus(), Map.copyOf(ips), List.copyOf(published),
                Labels.LIVE_RECORD_REDIS.equals(l.get(Labels.LIVE_RECORD)), ContainerOptions.fromLabels(l));
    }

    public boolean running() {
        return "running".equals(state);
    }

    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** The backend the proxy would use for this container now, if it has an address. */
    public java.util.Optional<BackendUrl> backend() {
        return addressing.backendOf(port, networkIps, published);
    }

    /** Where each extra port of {@link #options} is published now ({@code address:port}), by name; {@code -} while not published. */
    public Map<String, String> extraPorts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ExtraPort p : options.publish()) {
            out.put(p.name(), "-");
            for (BackendAddressing.Published b : published) {
                if (b.privatePort() == p.containerPort() && b.publicPort() > 0
                        && (b.hostIp() == null || b.hostIp().isEmpty() || b.hostIp().equals(p.hostAddress()) || "0.0.0.0".equals(b.hostIp()))) {
                    String addr = p.hostAddress().contains(":") ? "[" + p.hostAddress() + "]" : p.hostAddress();
                    out.put(p.name(), addr + ":" + b.publicPort());
                    break;
                }
            }
        }
        return out;
    }

    /** Whether a frontend list entry points at this container, whichever way it was addressed. */
    public boolean serves(BackendUrl backend) {
        if (backend == null) {
            return false;
        }
        for (String ip : networkIps.values()) {
            if (ip.equals(backend.host()) && port == backend.port()) {
                return true;
            }
        }
        for (BackendAddressing.Published p : published) {
            boolean anyIp = p.hostIp() == null || p.hostIp().isEmpty() || "0.0.0.0".equals(p.hostIp()) || "::".equals(p.hostIp());
            if (p.privatePort() == port && p.publicPort() == backend.port()
                    && (anyIp || p.hostIp().equals(backend.host()))) {
                return true;
            }
        }
        return false;
    }

    private static Instant instant(String s) {
        try {
            return s == null ? Instant.EPOCH : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static int integer(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
