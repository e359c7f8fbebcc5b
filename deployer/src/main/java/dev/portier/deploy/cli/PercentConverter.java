package dev.portier.deploy.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads a share written {@code 10%}, {@code 0.5%} or {@code 10} (percent either way) as a fraction of 1. */
public final class PercentConverter implements CommandLine.ITypeConverter<Double> {

    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%?");

    @Override
    public Double convert(String value) {
        Matcher m = PERCENT.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a percentage (use e.g. 10% or 0.5%)");
        }
        double p = Double.parseDouble(m.group(1));
        if (p > 100) {
            throw new CommandLine.TypeConversionException("'" + value + "' is more than 100%");
        }
        return p / 100;
    }
}
