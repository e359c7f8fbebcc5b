package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.console.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class UsageHelpTest {

    private static final Pattern URL = Pattern.compile("[a-z][a-z0-9+.-]*://\\S*");

    /** Every URL the help texts show, whole; a URL split over two lines leaves a piece that is none of these. */
    private static final List<String> URLS = List.of(
            "redis://:password@host:port/db#prefix",
            System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"),
            "unix:///var/run/docker.sock",
            "tcp://host:2375",
            "http://127.0.0.1:9180",
            "http://127.0.0.1:80",
            "redis://127.0.0.1:<redis-port>");

    private record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PortierDeployer.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertShortUsageError(Run r, String command, String error) {
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertEquals("", r.out());
        List<String> lines = r.errLines();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(error), r.err());
        assertEquals("Try '" + command + " --help' for more.", lines.get(1));
    }

    @Test
    void usageErrorsAreTheErrorAndAHintNotTheWholeUsage() {
        assertShortUsageError(run("deploy", "--image", "x:1", "--frontend", "a.test", "--foo"),
                "portier-deployer deploy", "Unknown option: '--foo'");
        assertShortUsageError(run("deploy", "--frontend", "a.test"),
                "portier-deployer deploy", "Missing required option: '--image=<image>'");
        assertShortUsageError(run("rollback", "--frontend", "a.test", "--health-interval", "soon"),
                "portier-deployer rollback", "soon");
        assertShortUsageError(run("--app", "no spaces", "status"), "portier-deployer status", "--app 'no spaces'");
        assertShortUsageError(run("deplyo"), "portier-deployer", "deplyo");
    }

    @Test
    void aMistypedOptionIsSuggestedOnTheErrorLine() {
        Run r = run("deploy", "--image", "x:1", "--frontend", "a.test", "--keep-image");
        assertShortUsageError(r, "portier-deployer deploy", "--keep-images");
    }

    @Test
    void noArgumentsIsAUsageErrorNamingTheCommands() {
        Run r = run();
        assertShortUsageError(r, "portier-deployer", "no command given");
        assertTrue(r.errLines().get(0).contains("deploy, rollback, status"), r.err());
    }

    @Test
    void helpStillGoesToStdoutWithExit0() {
        Run r = run("deploy", "--help");
        assertEquals(0, r.exit());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Usage: portier-deployer deploy"), r.out());
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 100, 160})
    void noHelpSplitsAUrl(int width) {
        CommandLine root = PortierDeployer.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<String> seen = new ArrayList<>();
        for (CommandLine cmd : withSubcommands(root)) {
            cmd.setUsageHelpAutoWidth(false);
            cmd.setUsageHelpWidth(width);
            String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String line : usage.lines().toList()) {
                Matcher m = URL.matcher(line);
                while (m.find()) {
                    String url = m.group().replaceAll("[.,;)]+$", "");
                    assertTrue(URLS.contains(url), cmd.getCommandName() + " --help at width " + width
                            + " shows a piece of a URL, '" + url + "', in line:\n" + line + "\n\n" + usage);
                    seen.add(url);
                }
            }
        }
        for (String url : URLS) {
            assertTrue(seen.contains(url), url + " is in no help at width " + width);
        }
    }

    @Test
    void onlyTheCommandsThatTakeTheLockOfferLockTtl() {
        CommandLine root = PortierDeployer.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        Map<String, Boolean> takesLock = Map.of("deploy", true, "watch", true, "rollback", true, "prune", true,
                "status", false, "bootstrap", false);
        takesLock.forEach((name, expected) -> {
            String usage = root.getSubcommands().get(name).getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertEquals(expected, usage.contains("--lock-ttl"), name + " --help:\n" + usage);
        });
        assertFalse(root.getUsageMessage(CommandLine.Help.Ansi.OFF).contains("--lock-ttl"));
        assertShortUsageError(run("status", "--lock-ttl", "5s"), "portier-deployer status", "--lock-ttl");
        Run status = run("status", "--help");
        assertEquals(0, status.exit());
        assertFalse(status.out().contains("--lock-ttl"), status.out());
    }

    private static List<CommandLine> withSubcommands(CommandLine cmd) {
        List<CommandLine> all = new ArrayList<>(List.of(cmd));
        cmd.getSubcommands().values().forEach(sub -> all.addAll(withSubcommands(sub)));
        return all;
    }
}
