package dev.portier.deploy.docker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a web container runs with besides its image and app port, as Kamal's {@code options}:
 * extra published ports, memory and CPU limits, labels and extra /etc/hosts entries. Each is
 * written to the container's own labels, so status shows it and a rollback can put the limits
 * back as they were deployed.
 *
 * @param memory   Docker's syntax (e.g. {@code 512m}), or null for no limit
 * @param cpus     CPUs (e.g. 1.5), or null for no limit
 * @param labels   the operator's labels, set on the container as given
 * @param addHosts {@code NAME:IP} entries for /etc/hosts
 */
public record ContainerOptions(List<ExtraPort> publish, String memory, Double cpus, Map<String, String> labels, List<String> addHosts) {

    /** Extra ports, comma-separated in their option syntax. */
    public static final String PUBLISH_LABEL = "dev.portier.publish";
    public static final String MEMORY_LABEL = "dev.portier.memory";
    public static final String CPUS_LABEL = "dev.portier.cpus";
    /** The names of the operator's labels, comma-separated. */
    public static final String LABELS_LABEL = "dev.portier.labels";
    public static final String ADD_HOSTS_LABEL = "dev.portier.add-hosts";

    public static final ContainerOptions NONE = new ContainerOptions(List.of(), null, null, Map.of(), List.of());

    private static final Pattern MEMORY = Pattern.compile("(\\d+)([bkmg]?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern ADD_HOST = Pattern.compile("[^\\s:,]+:[0-9a-fA-F.:]+");

    public ContainerOptions {
        publish = List.copyOf(publish);
        labels = Map.copyOf(labels);
        addHosts = List.copyOf(addHosts);
        Set<String> names = new HashSet<>();
        for (ExtraPort p : publish) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("--publish: the name '" + p.name() + "' is given twice");
            }
        }
        if (memory != null) {
            memoryBytes(memory);
        }
        if (cpus != null && !(cpus > 0)) {
            throw new IllegalArgumentException("--cpus: " + cpus + " is not a positive number of CPUs");
        }
        for (String k : labels.keySet()) {
            if (k.startsWith("dev.portier.")) {
                throw new IllegalArgumentException("--label " + k + ": dev.portier.* labels are the deployer's own");
            }
        }
        for (String h : addHosts) {
            if (!ADD_HOST.matcher(h).matches()) {
                throw new IllegalArgumentException("--add-host '" + h + "' is not NAME:IP");
            }
        }
    }

    /** From the options' strings; IllegalArgumentException names the bad one. */
    public static ContainerOptions parse(List<String> publish, String memory, Double cpus, List<String> labels, List<String> addHosts) {
        List<ExtraPort> ports = new ArrayList<>();
        publish.forEach(p -> ports.add(ExtraPort.parse(p)));
        Map<String, String> ls = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--label '" + l + "' is not KEY=VALUE");
            }
            ls.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return new ContainerOptions(ports, memory == null ? null : memory.trim().toLowerCase(Locale.ROOT), cpus, ls, addHosts);
    }

    /** Read back from a container's labels; what is missing or garbled is left out. */
    public static ContainerOptions fromLabels(Map<String, String> l) {
        List<ExtraPort> ports = new ArrayList<>();
        for (String p : split(l.get(PUBLISH_LABEL))) {
            try {
                ports.add(ExtraPort.parse(p));
            } catch (IllegalArgumentException ignored) {
                // not ours to show
            }
        }
        Map<String, String> ls = new LinkedHashMap<>();
        for (String k : split(l.get(LABELS_LABEL))) {
            if (l.containsKey(k) && !k.startsWith("dev.portier.")) {
                ls.put(k, l.get(k));
            }
        }
        String memory = l.get(MEMORY_LABEL);
        Double cpus = null;
        try {
            cpus = l.get(CPUS_LABEL) == null ? null : Double.valueOf(l.get(CPUS_LABEL));
        } catch (NumberFormatException ignored) {
            // as if absent
        }
        try {
            return new ContainerOptions(ports, memory, cpus, ls, split(l.get(ADD_HOSTS_LABEL)));
        } catch (IllegalArgumentException e) {
            return new ContainerOptions(ports, null, null, Map.of(), List.of());
        }
    }

    /** The labels that record these options (the operator's own labels included). */
    public Map<String, String> toLabels() {
        Map<String, String> out = new LinkedHashMap<>(labels);
        if (!publish.isEmpty()) {
            out.put(PUBLISH_LABEL, String.join(",", publish.stream().map(ExtraPort::toString).toList()));
        }
        if (memory != null) {
            out.put(MEMORY_LABEL, memory);
        }
        if (cpus != null) {
            out.put(CPUS_LABEL, cpus.toString());
        }
        if (!labels.isEmpty()) {
            out.put(LABELS_LABEL, String.join(",", labels.keySet()));
        }
        if (!addHosts.isEmpty()) {
            out.put(ADD_HOSTS_LABEL, String.join(",", addHosts));
        }
        return out;
    }

    /** The memory limit in bytes, or null. */
    public Long memoryBytes() {
        return memory == null ? null : memoryBytes(memory);
    }

    /** CPUs as Docker's NanoCPUs, or null. */
    public Long nanoCpus() {
        return cpus == null ? null : Math.round(cpus * 1e9);
    }

    private static long memoryBytes(String m) {
        Matcher x = MEMORY.matcher(m);
        if (!x.matches()) {
            throw new IllegalArgumentException("--memory '" + m + "' is not a size such as 512m or 2g");
        }
        long n = Long.parseLong(x.group(1));
        long bytes = switch (x.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
        // Docker's own floor: a smaller limit is refused at create
        if (bytes < 6L << 20) {
            throw new IllegalArgumentException("--memory '" + m + "' is below Docker's minimum of 6m");
        }
        return bytes;
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
