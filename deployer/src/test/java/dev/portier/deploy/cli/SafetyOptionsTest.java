package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.console.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The canary and watch options are checked before anything is touched: a bad one is a two-line usage error, exit 2. */
class SafetyOptionsTest {

    private static String[] deploy(String... extra) {
        String[] base = {"--redis", "redis://127.0.0.1:1", "deploy", "--image", "x:1", "--frontend", "a.test"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --canary 10%                                   | --canary reads the proxies' figures: give --proxy-admin
            --watch-after 5m                               | --watch-after reads the proxies' figures: give --proxy-admin
            --canary 150% --proxy-admin http://a:1         | '150%' is more than 100%
            --canary ten --proxy-admin http://a:1          | 'ten' is not a percentage
            --canary 0.5% --proxy-admin http://a:1         | --canary must be a whole share from 1% to 100%
            --canary 10% --canary-for 0s --proxy-admin http://a:1 | --canary-for and --watch-interval must be more than 0
            --max-p99-ratio 0.5                            | the p99 ratio must be at least 1
            --canary 10% --proxy-admin http://a:1 --docker-host tcp://10.0.0.1:2375 --docker-host tcp://10.0.0.2:2375 | not available with several engines yet
            --watch-after 1m --proxy-admin http://a:1 --docker-host tcp://10.0.0.1:2375 --docker-host tcp://10.0.0.2:2375 | not available with several engines yet
            """)
    void badSafetyOptionsAreUsageErrors(String options, String message) {
        StringWriter err = new StringWriter();
        int code = PortierDeployer.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true))
                .execute(deploy(options.trim().split(" +")));
        assertEquals(ExitCode.USAGE, code, err.toString());
        assertTrue(err.toString().contains(message), err.toString());
        assertEquals(2, err.toString().lines().count(), "two lines: " + err);
    }

    @Test
    void sharesAndSecondsReadAsPeopleWriteThem() {
        assertEquals(0.1, new PercentConverter().convert("10%"), 1e-12);
        assertEquals(0.005, new PercentConverter().convert("0.5%"), 1e-12);
        assertEquals(0.2, new PercentConverter().convert("20"), 1e-12);
        assertEquals(Duration.ofSeconds(60), new SecondsConverter().convert("60"));
        assertEquals(Duration.ofMinutes(2), new SecondsConverter().convert("2m"));
        assertThrows(CommandLine.TypeConversionException.class, () -> new SecondsConverter().convert("500ms"));
    }
}
