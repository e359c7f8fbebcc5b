package dev.portier.deploy.cli;

import java.time.Duration;
import picocli.CommandLine;

/** A duration in whole seconds: {@code 60} (seconds, as HTTP's Retry-After counts) or {@code 2m}; less than a second is refused. */
public final class SecondsConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim();
        Duration d = v.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(v)) : DurationConverter.parse(v);
        if (d.toSeconds() < 1) {
            throw new CommandLine.TypeConversionException("'" + value + "' is less than a second");
        }
        return d;
    }
}
