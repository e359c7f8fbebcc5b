package dev.portier.deploy.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code --hosts} file: the fleet's engines, in YAML or JSON (JSON is YAML too), e.g.
 * <pre>
 * hosts:
 *   - name: web1
 *     docker: tcp://10.0.0.1:2376
 *     address: 10.0.0.1
 *     tls: {verify: true, certPath: /etc/portier/certs/web1}
 * </pre>
 * The order of the hosts is the order of the backends in the frontend's list.
 */
public final class HostsFile {

    /** The file's shape; unknown keys are refused by name. */
    record Document(@JsonProperty(value = "hosts", required = true) List<Host> hosts) {
    }

    /** One {@code hosts[]} entry. */
    record Host(String name, String docker, String address, Tls tls) {
    }

    /** A host's TLS settings. */
    record Tls(Boolean verify, String certPath) {
    }

    private HostsFile() {
    }

    /** The engines the file names; IllegalArgumentException naming the file and the key when it is wrong. */
    public static List<EngineSpec> read(Path file) {
        Document doc;
        try {
            doc = new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .readValue(Files.readString(file), Document.class);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + path(e) + ": " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": not YAML/JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (doc == null || doc.hosts() == null || doc.hosts().isEmpty()) {
            throw new IllegalArgumentException(file + ": hosts: at least one host is needed");
        }
        List<EngineSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < doc.hosts().size(); i++) {
            Host h = doc.hosts().get(i);
            String at = file + ": hosts[" + i + "]";
            if (h == null || h.docker() == null || h.docker().isBlank()) {
                throw new IllegalArgumentException(at + ".docker: the engine's URL is required, e.g. tcp://10.0.0.1:2376");
            }
            String address = h.address() != null && !h.address().isBlank() ? h.address().trim() : EngineSpec.hostOf(h.docker());
            if (address == null) {
                throw new IllegalArgumentException(at + ".address: required for " + h.docker()
                        + " (the address its containers' ports are published on and the proxies reach)");
            }
            String name = h.name() != null && !h.name().isBlank() ? h.name().trim() : address;
            if (!names.add(name)) {
                throw new IllegalArgumentException(at + ".name: '" + name + "' names two hosts");
            }
            if (!addresses.add(address)) {
                throw new IllegalArgumentException(at + ".address: " + address + " is given to two hosts; their backends would be"
                        + " indistinguishable in the list");
            }
            out.add(new EngineSpec(name, h.docker().trim(), address, h.tls() == null ? null : h.tls().verify(),
                    h.tls() == null ? null : h.tls().certPath()));
        }
        return List.copyOf(out);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
