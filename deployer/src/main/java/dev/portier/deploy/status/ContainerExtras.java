package dev.portier.deploy.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The second line of a container in the status table: its extra ports and the options it runs with. */
final class ContainerExtras {

    private ContainerExtras() {
    }

    /** e.g. {@code ports: yourkit 127.0.0.1:32781, jmx 127.0.0.1:9010   memory 256m   cpus 0.5}; empty when there is nothing. */
    static String describe(StatusReport.ContainerStatus c) {
        List<String> parts = new ArrayList<>();
        if (!c.ports().isEmpty()) {
            List<String> ports = new ArrayList<>();
            for (Map.Entry<String, String> p : c.ports().entrySet()) {
                ports.add(p.getKey() + " " + p.getValue());
            }
            parts.add("ports: " + String.join(", ", ports));
        }
        if (c.memory() != null) {
            parts.add("memory " + c.memory());
        }
        if (c.cpus() != null) {
            parts.add("cpus " + (c.cpus() == Math.rint(c.cpus()) ? String.valueOf(c.cpus().longValue()) : c.cpus().toString()));
        }
        if (!c.addHosts().isEmpty()) {
            parts.add("hosts " + String.join(", ", c.addHosts()));
        }
        if (!c.labels().isEmpty()) {
            List<String> labels = new ArrayList<>();
            c.labels().forEach((k, v) -> labels.add(k + "=" + v));
            parts.add("labels " + String.join(", ", labels));
        }
        return String.join("   ", parts);
    }
}
