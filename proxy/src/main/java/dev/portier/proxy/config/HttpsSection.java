package dev.portier.proxy.config;

import static dev.portier.proxy.config.ConfigValues.absent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Hipache's {@code https} section: port (443), bind (an address or an array), cert + key
 * (+ passphrase) as the default certificate; ours: {@code certificates}, an array of
 * {@code {cert, key, passphrase, hosts}} chosen by SNI.
 */
final class HttpsSection {

    private static final Set<String> KEYS = Set.of("port", "bind", "key", "cert", "ca", "passphrase", "ciphers",
            "certificates", "honorCipherOrder", "secureProtocol", "secureOptions");
    /** Node's TLS options: accepted, as Netty's defaults are better than what old configs ask for. */
    private static final List<String> IGNORED = List.of("ca", "ciphers", "honorCipherOrder", "secureOptions",
            "secureProtocol");

    private HttpsSection() {
    }

    /** Reads the section found at {@code name} ({@code https}, or 0.3.1's {@code server.https}). */
    static void apply(String name, JsonNode https, Path base, SettingsDraft d) {
        Notices n = d.notices;
        KeyHints.check(name + ".", https, KEYS, n);
        JsonNode port = https.get("port");
        int p = absent(port) ? 443 : ConfigValues.port(name + ".port", port);
        List<String> binds = new ArrayList<>();
        JsonNode bind = https.get("bind");
        if (absent(bind)) {
            binds.add("0.0.0.0");
        } else if (bind.isArray()) {
            bind.forEach(b -> binds.add(ConfigValues.string(name + ".bind", b)));
        } else {
            binds.add(ConfigValues.string(name + ".bind", bind));
        }
        if (binds.isEmpty()) {
            binds.add("0.0.0.0"); // Hipache's example has "bind": [], meaning every address
        }
        List<InetSocketAddress> listen = new ArrayList<>();
        for (String b : binds) {
            listen.add(new InetSocketAddress(b, p));
        }
        List<TlsCertificate> certs = new ArrayList<>();
        if (!absent(https.get("cert")) || !absent(https.get("key"))) {
            certs.add(certificate(name, https, base, List.of()));
        }
        JsonNode list = https.get("certificates");
        if (!absent(list)) {
            if (!list.isArray()) {
                throw ConfigValues.bad(name + ".certificates", "an array of {cert, key, hosts}", list);
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode c = list.get(i);
                List<String> hosts = new ArrayList<>();
                if (c.has("hosts")) {
                    c.get("hosts").forEach(h -> hosts.add(ConfigValues.string(name + ".certificates[].hosts", h)));
                }
                certs.add(certificate(name + ".certificates[" + i + "]", c, base, hosts));
            }
        }
        if (certs.isEmpty()) {
            throw new ConfigException(name + ": cert and key (PEM files) are needed for the HTTPS listener");
        }
        for (String ignored : IGNORED) {
            if (https.has(ignored)) {
                n.ignore(name + "." + ignored + ": ignored; TLS 1.2 and 1.3 with modern ciphers are offered");
            }
        }
        d.put("tls.listen", listen);
        d.put("tls.certificates", certs);
    }

    private static TlsCertificate certificate(String name, JsonNode c, Path base, List<String> hosts) {
        if (absent(c.get("cert")) || absent(c.get("key"))) {
            throw new ConfigException(name + ": both cert and key (PEM files) are needed");
        }
        Path cert = ConfigValues.path(name + ".cert", c.get("cert"), base);
        Path key = ConfigValues.path(name + ".key", c.get("key"), base);
        for (Path f : new Path[] {cert, key}) {
            if (!Files.isReadable(f)) {
                throw new ConfigException(name + ": file \"" + f + "\" cannot be read");
            }
        }
        String passphrase = absent(c.get("passphrase")) ? null : ConfigValues.secret(name + ".passphrase", c.get("passphrase"));
        return new TlsCertificate(cert, key, passphrase, hosts);
    }
}
