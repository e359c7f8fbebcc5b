package dev.portier.proxy.config;

import static dev.portier.proxy.config.ConfigValues.absent;
import static dev.portier.proxy.config.ConfigValues.bad;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code http} section of the current layout: {@code port}, and {@code bind} in each of its forms. */
final class HttpSection {

    /** The keys read here. */
    static final Set<String> KEYS = Set.of("port", "bind");
    private static final Set<String> BIND = Set.of("address", "port");

    private HttpSection() {
    }

    static void apply(JsonNode http, SettingsDraft d) {
        JsonNode port = http.get("port");
        if (!absent(port)) {
            d.httpPort = ConfigValues.port("http.port", port);
        }
        JsonNode bind = http.get("bind");
        if (!absent(bind)) {
            d.binds = binds("http.bind", bind, d.notices);
        }
    }

    /** A string, an array of strings and {@code {address, port}} objects, or one such object. */
    private static List<SettingsDraft.BindAddress> binds(String name, JsonNode v, Notices n) {
        List<SettingsDraft.BindAddress> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(new SettingsDraft.BindAddress(v.textValue().trim(), null, name));
        } else if (v.isObject()) {
            out.add(bindObject(name, v, n));
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                String item = name + "[" + i + "]";
                JsonNode e = v.get(i);
                if (e.isTextual()) {
                    out.add(new SettingsDraft.BindAddress(e.textValue().trim(), null, item));
                } else if (e.isObject()) {
                    out.add(bindObject(item, e, n));
                } else {
                    throw bad(item, "an address or an {address, port} object", e);
                }
            }
        } else {
            throw bad(name, "an address, an array of addresses or of {address, port} objects", v);
        }
        if (out.isEmpty()) {
            throw bad(name, "at least one address", v);
        }
        return out;
    }

    private static SettingsDraft.BindAddress bindObject(String name, JsonNode v, Notices n) {
        KeyHints.check(name + ".", v, BIND, n);
        JsonNode address = v.get("address");
        if (absent(address)) {
            throw new ConfigException(name + ".address: missing");
        }
        if (!address.isTextual()) {
            throw bad(name + ".address", "an address", address);
        }
        JsonNode port = v.get("port");
        Integer p = absent(port) ? null : ConfigValues.port(name + ".port", port);
        return new SettingsDraft.BindAddress(address.textValue().trim(), p, name);
    }
}
