package dev.portier.proxy.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One PEM certificate chain and its key for the HTTPS listener; {@code hosts} are the SNI names it
 * answers ({@code *.example.com} allowed); the first certificate is also the default.
 */
public record TlsCertificate(Path cert, Path key, String passphrase, List<String> hosts) {

    public TlsCertificate {
        hosts = List.copyOf(hosts);
    }

    @Override
    public String toString() {
        return cert + " + " + key + (hosts.isEmpty() ? "" : " for " + hosts) + (passphrase == null ? "" : " (passphrase ***)");
    }
}
