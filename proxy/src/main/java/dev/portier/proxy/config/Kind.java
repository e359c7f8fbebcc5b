package dev.portier.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portier.proxy.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** How one setting is read from the file, the environment or a flag, and checked. */
enum Kind {
    /** Seconds, fractions allowed, zero disables. */
    SECONDS(Duration.class, "SECONDS", " s") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.seconds(name, value);
        }
    },
    POSITIVE_SECONDS(Duration.class, "SECONDS", " s") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.positiveSeconds(name, value);
        }
    },
    POSITIVE_MILLIS(Duration.class, "MS", " ms") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.positiveMillis(name, value);
        }
    },
    POSITIVE(Integer.class, "N", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.positive(name, value);
        }
    },
    NON_NEGATIVE(Integer.class, "N", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.nonNegative(name, value);
        }
    },
    /** Event-loop threads; the default {@code cores} is one per core. */
    WORKERS(Integer.class, "N", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.workers(name, value);
        }

        @Override
        Object fallback(String name, String text) {
            return text.equals("cores") ? Runtime.getRuntime().availableProcessors() : super.fallback(name, text);
        }

        @Override
        String describe(String fallback) {
            return fallback.equals("cores") ? "one per core" : super.describe(fallback);
        }
    },
    PORT(Integer.class, "N", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.port(name, value);
        }
    },
    /** A port, 0 for any free one, -1 for none. */
    OPTIONAL_PORT(Integer.class, "N", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.adminPort(name, value);
        }
    },
    /** A flag's presence means true. */
    BOOLEAN(Boolean.class, "", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.bool(name, value);
        }
    },
    STRING(String.class, "HOST", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.string(name, value);
        }
    },
    STATSD_FLAVOR(String.class, "datadog|etsy|telegraf", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.statsdFlavor(name, value);
        }
    },
    TRANSPORT(String.class, Transport.CHOICES, "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.transport(name, value);
        }
    },
    BALANCING(Balancing.class, "first|random|roundrobin", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.balancing(name, value);
        }
    },
    /** A path; relative ones are resolved against the config file's directory, or the working directory. */
    PATH(Path.class, "FILE", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.path(name, value, base);
        }
    },
    /** A directory that must exist once the last layer has spoken. */
    DIRECTORY(Path.class, "DIR", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.path(name, value, base);
        }

        @Override
        void check(String source, Object value) {
            Path dir = (Path) value;
            if (dir != null && !Files.isDirectory(dir)) {
                throw new ConfigException(source + ": directory \"" + dir + "\" "
                        + (Files.exists(dir) ? "is not a directory" : "does not exist"));
            }
        }
    },
    /** IP addresses and CIDR blocks: a JSON array, or one string with commas between them. */
    ADDRESSES(AddressFilter.class, "CIDR", "") {
        @Override
        Object read(String name, JsonNode value, Path base) {
            return ConfigValues.addresses(name, value);
        }
    };

    /** The Java type of the value, boxed. */
    final Class<?> type;
    /** The flag's parameter label in {@code --help}. */
    final String label;
    /** Appended to the default in {@code --help}. */
    final String unit;

    Kind(Class<?> type, String label, String unit) {
        this.type = type;
        this.label = label;
        this.unit = unit;
    }

    /** Reads and checks a value; throws {@link ConfigException} naming {@code name}. */
    abstract Object read(String name, JsonNode value, Path base);

    /** The value of a {@link Key#fallback}; empty means none. */
    Object fallback(String name, String text) {
        return text.isEmpty() ? null : read(name, ConfigValues.text(text), Path.of(""));
    }

    /** A default as {@code --help} shows it. */
    String describe(String fallback) {
        return fallback.isEmpty() ? "none" : fallback + unit;
    }

    /**
     * Checks what depends on the machine (a directory exists), once every layer has spoken, so that
     * a value a later layer replaces never stops the start.
     */
    void check(String source, Object value) {
    }
}
