package dev.portier.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The settings flags, highest in precedence: the four below, and one per settings-table value that
 * names a flag ({@link #spec}). Values stay strings so that {@link SettingsLoader} validates them the
 * same way as the file and the environment, naming the flag.
 */
public final class ProxyOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Hipache JSON config file (env PORTIER_CONFIG).")
    Path config;

    @Option(names = "--port", paramLabel = "N",
            description = "Port of every HTTP listener, 0 for any free one (env PORT; file http.port; default 80).")
    String port;

    @Option(names = "--bind", paramLabel = "ADDR", split = ",",
            description = "Address to listen on; repeat or separate with commas (env BIND; file http.bind; "
                    + "default 0.0.0.0).")
    List<String> bind = new ArrayList<>();

    @Option(names = "--redis", paramLabel = "URL",
            description = "Redis driver URL redis://:password@host:port/db#prefix; given twice, routes are read "
                    + "from the first and dead marks written to the last (env REDIS_URL; file driver; "
                    + "default redis://127.0.0.1:6379).")
    List<String> redis = new ArrayList<>();

    /** The settings-table flags given, as typed, in the order given. */
    final Map<SettingsTable.Entry, String> given = new LinkedHashMap<>();

    /** These options as picocli sees them, the table's flags included: to parse with, or to mix into a command. */
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.forAnnotatedObject(this);
        for (SettingsTable.Entry e : SettingsTable.keyed()) {
            Key key = e.key();
            if (key.flag().isEmpty()) {
                continue;
            }
            OptionSpec.Builder option = OptionSpec.builder(key.flag())
                    .description(description(key))
                    .setter(new ISetter() {
                        @Override
                        public <T> T set(T value) {
                            // picocli also sets the initial value (null, or false for a switch): only what was typed counts
                            if (value != null && !Boolean.FALSE.equals(value)) {
                                given.put(e, value.toString());
                            }
                            return null;
                        }
                    });
            if (key.kind() == Kind.BOOLEAN) {
                option.type(boolean.class).arity("0");
            } else {
                option.type(String.class).paramLabel(key.label().isEmpty() ? key.kind().label : key.label());
            }
            spec.addOption(option.build());
        }
        return spec;
    }

    private static String description(Key key) {
        String from = (key.env().isEmpty() ? "" : "env " + key.env() + "; ") + "file " + key.value();
        String fallback = key.kind() == Kind.BOOLEAN ? "" : "; default " + key.kind().describe(key.fallback());
        return key.about() + " (" + from + fallback + ").";
    }

    /** Options parsed from flags alone, for tests and tools that do not go through Main. */
    public static ProxyOptions parse(String... args) {
        ProxyOptions options = new ProxyOptions();
        new CommandLine(options.spec()).parseArgs(args);
        return options;
    }
}
