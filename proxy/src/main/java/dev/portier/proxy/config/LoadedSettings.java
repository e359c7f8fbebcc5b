package dev.portier.proxy.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The settings the proxy will run with, and what loading them had to say.
 *
 * @param settings   the validated settings
 * @param configFile the config file that was read, or null when none was given
 * @param warnings   what the operator should fix or know (unknown keys, old layouts, unused sections)
 * @param ignored    keys accepted from Hipache's config that mean nothing here
 */
public record LoadedSettings(ProxySettings settings, Path configFile, List<String> warnings, List<String> ignored) {

    public LoadedSettings {
        warnings = List.copyOf(warnings);
        ignored = List.copyOf(ignored);
    }
}
