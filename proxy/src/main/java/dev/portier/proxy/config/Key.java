package dev.portier.proxy.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One row of the settings table, written on the value it configures: its config file key, how the
 * value is read, its default, and optionally its environment variable and flag. The file reader,
 * the environment, the flags, {@code --help} and {@code --dry} all read these rows.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
@interface Key {

    /** The config file key, e.g. {@code server.tcpTimeout}. */
    String value();

    /** How a value is read and checked. */
    Kind kind();

    /** The default, written as an environment variable would write it; empty for none. */
    String fallback();

    /** The environment variable, if any. */
    String env() default "";

    /** The flag, if any. */
    String flag() default "";

    /** The flag's parameter label in {@code --help} when the kind's own would mislead. */
    String label() default "";

    /** What it does, for {@code --help}. */
    String about();
}
