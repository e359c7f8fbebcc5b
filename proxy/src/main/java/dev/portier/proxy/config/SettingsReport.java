package dev.portier.proxy.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The effective settings as readable text, secrets hidden: what {@code --dry} prints. */
public final class SettingsReport {

    /** A future secret field must not be printed just because it was added to the record. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|passphrase|secret|token).*");

    private SettingsReport() {
    }

    /**
     * One line per value of {@link ProxySettings}, by its path ({@code timeouts.backend}) and followed by
     * the config file key that sets it, read from the settings table so that a value added later is
     * printed without anyone remembering to add it here.
     */
    public static String describe(LoadedSettings loaded) {
        StringBuilder out = new StringBuilder();
        out.append("config file: ").append(loaded.configFile() == null ? "none" : loaded.configFile()).append('\n');
        Map<String, Object> values = SettingsTable.values(loaded.settings());
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (SettingsTable.Entry e : SettingsTable.entries()) {
            Object value = values.get(e.path());
            String shown = SECRET.matcher(e.path()).matches() && value != null ? "***" : format(value);
            out.append("  ").append(e.path()).append(" ".repeat(width - e.path().length() + 2)).append(shown);
            if (e.key() != null) {
                out.append("  (").append(e.fileKey()).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** One value as --dry shows it: addresses as host:port, durations in s or ms, enums in lower case. */
    public static String format(Object value) {
        if (value == null) {
            return "none";
        }
        if (value instanceof Collection<?> list) {
            return list.isEmpty() ? "none" : list.stream().map(SettingsReport::format).collect(Collectors.joining(", "));
        }
        if (value instanceof InetSocketAddress a) {
            return address(a);
        }
        if (value instanceof Duration d) {
            return duration(d);
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        // RedisDriverUrl.toString hides the password
        return String.valueOf(value);
    }

    static String address(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        // NetUtil writes IPv6 the short way (::1), getHostAddress the long one
        String host = ip == null ? a.getHostString() : NetUtil.toAddressString(ip);
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String duration(Duration d) {
        if (d.isZero()) {
            return "0 (disabled)";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
