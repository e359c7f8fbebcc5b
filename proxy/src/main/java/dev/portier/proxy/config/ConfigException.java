package dev.portier.proxy.config;

/** A configuration the proxy refuses to start with; the message names the setting and its value. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
