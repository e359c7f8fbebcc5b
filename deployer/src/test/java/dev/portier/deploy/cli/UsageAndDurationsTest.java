package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.console.ExitCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UsageAndDurationsTest {

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("PT1M30S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("soon"));
    }

    @Test
    void usageErrorsExitWith2() {
        var out = new java.io.StringWriter();
        int code = PortierDeployer.commandLine(new java.io.PrintWriter(out), new java.io.PrintWriter(out))
                .execute("deploy", "--frontend", "a.test");
        assertEquals(ExitCode.USAGE, code);
        assertTrue(out.toString().contains("Missing required option: '--image=<image>'"), out.toString());
        int badApp = PortierDeployer.commandLine(new java.io.PrintWriter(out), new java.io.PrintWriter(out))
                .execute("--app", "no spaces", "deploy", "--image", "x:1", "--frontend", "a.test");
        assertEquals(ExitCode.USAGE, badApp);
    }
}
