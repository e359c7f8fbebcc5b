package dev.portier.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.portier.common.RedisDriverUrl;
import dev.portier.proxy.transport.Transport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Typed readers shared by the config file, the environment and the flags. A value from the
 * environment or a flag is read as a JSON string, so a bad one is reported the same way:
 * {@code NAME: expected ..., got VALUE}.
 */
final class ConfigValues {

    /** Hipache's config was read by Node, where {@code "3"} works wherever 3 does. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d+(\\.\\d+)?");

    static final int MAX_WORKERS = 1024;
    private static final long MAX_SECONDS = 1_000_000_000L;

    private ConfigValues() {
    }

    static JsonNode text(String raw) {
        return TextNode.valueOf(raw);
    }

    /** The value as it was written: strings quoted, so {@code "80"} and 80 can be told apart. */
    static String show(JsonNode value) {
        return value.toString();
    }

    static ConfigException bad(String name, String expected, JsonNode value) {
        return new ConfigException(name + ": expected " + expected + ", got " + show(value));
    }

    static boolean absent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    static int port(String name, JsonNode value) {
        return (int) integer(name, value, 0, 65_535, "a port 0..65535");
    }

    static int redisPort(String name, JsonNode value) {
        return (int) integer(name, value, 1, 65_535, "a port 1..65535");
    }

    static int nonNegative(String name, JsonNode value) {
        return (int) integer(name, value, 0, Integer.MAX_VALUE, "a non-negative integer");
    }

    static int positive(String name, JsonNode value) {
        return (int) integer(name, value, 1, Integer.MAX_VALUE, "a positive integer");
    }

    static int workers(String name, JsonNode value) {
        return (int) integer(name, value, 1, MAX_WORKERS, "an integer 1.." + MAX_WORKERS);
    }

    static Duration positiveSeconds(String name, JsonNode value) {
        return Duration.ofSeconds(integer(name, value, 1, MAX_SECONDS, "a positive integer (seconds)"));
    }

    static Duration positiveMillis(String name, JsonNode value) {
        return Duration.ofMillis(integer(name, value, 1, Integer.MAX_VALUE, "a positive integer (milliseconds)"));
    }

    /** Seconds, fractions allowed; zero is accepted because Hipache's tcpTimeout 0 means "no timeout". */
    static Duration seconds(String name, JsonNode value) {
        BigDecimal v = decimal(value);
        if (v == null || v.signum() < 0 || v.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
            throw bad(name, "a non-negative number of seconds", value);
        }
        return Duration.ofMillis(v.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    static boolean bool(String name, JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            String s = value.textValue().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true")) {
                return true;
            }
            if (s.equals("false")) {
                return false;
            }
        }
        throw bad(name, "true or false", value);
    }

    static String string(String name, JsonNode value) {
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw bad(name, "a non-empty string", value);
        }
        return value.textValue().trim();
    }

    /** A string that must never be echoed, even in an error. */
    static String secret(String name, JsonNode value) {
        if (value.isTextual() || value.isNumber()) {
            return value.asText();
        }
        throw new ConfigException(name + ": expected a string");
    }

    /** -1 turns the admin listener off, 0 takes any free port. */
    static int adminPort(String name, JsonNode value) {
        return (int) integer(name, value, -1, 65535, "a port (0-65535), or -1 for no admin listener");
    }

    static String statsdFlavor(String name, JsonNode value) {
        String v = string(name, value).toLowerCase(Locale.ROOT);
        if (!v.equals("datadog") && !v.equals("etsy") && !v.equals("telegraf")) {
            throw bad(name, "one of datadog, etsy, telegraf", value);
        }
        return v;
    }

    static String transport(String name, JsonNode value) {
        String v = value.isTextual() ? value.textValue().trim().toLowerCase(Locale.ROOT) : "";
        if (!List.of(Transport.CHOICES.split("\\|")).contains(v)) {
            throw bad(name, "one of " + Transport.CHOICES.replace('|', ','), value);
        }
        return v;
    }

    static Balancing balancing(String name, JsonNode value) {
        if (value.isTextual()) {
            String s = value.textValue().trim().toUpperCase(Locale.ROOT);
            for (Balancing b : Balancing.values()) {
                if (b.name().equals(s)) {
                    return b;
                }
            }
        }
        throw bad(name, "one of first, random, roundrobin", value);
    }

    /** IP addresses and CIDR blocks: an array of strings, or one string with commas between them (as env vars write lists). */
    static AddressFilter addresses(String name, JsonNode value) {
        List<String> entries = new ArrayList<>();
        if (value.isTextual()) {
            for (String s : value.textValue().split(",")) {
                if (!s.isBlank()) {
                    entries.add(s);
                }
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                JsonNode e = value.get(i);
                if (!e.isTextual()) {
                    throw bad(name + "[" + i + "]", "an IP address or a CIDR block", e);
                }
                entries.add(e.textValue());
            }
        } else {
            throw bad(name, "an array of IP addresses and CIDR blocks", value);
        }
        try {
            return AddressFilter.parse(entries);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    static RedisDriverUrl driver(String name, JsonNode value) {
        String url = string(name, value);
        try {
            return RedisDriverUrl.parse(url);
        } catch (IllegalArgumentException e) {
            // parse's message already shows the URL with its password hidden
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    /** A path, relative ones resolved against {@code base} (the config file's directory, or the working directory). */
    static Path path(String name, JsonNode value, Path base) {
        String s = string(name, value);
        try {
            return base.resolve(s).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw bad(name, "a file system path", value);
        }
    }

    private static long integer(String name, JsonNode value, long min, long max, String expected) {
        BigDecimal v = decimal(value);
        if (v == null || v.stripTrailingZeros().scale() > 0
                || v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw bad(name, expected, value);
        }
        return v.longValueExact();
    }

    private static BigDecimal decimal(JsonNode value) {
        if (value.isNumber()) {
            try {
                return value.decimalValue();
            } catch (NumberFormatException e) {
                return null; // NaN or infinity
            }
        }
        if (value.isTextual()) {
            String s = value.textValue().trim();
            if (DECIMAL.matcher(s).matches()) {
                return new BigDecimal(s);
            }
        }
        return null;
    }
}
