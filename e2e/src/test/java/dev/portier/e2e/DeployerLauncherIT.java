package dev.portier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code deployer/bin/portier-deployer}: uses the class-data sharing archive the build made
 * ({@code -Xshare:on} appended proves it maps), and starts cleanly — same output, nothing on
 * stderr — when the archive is missing, garbage, or made by another JDK.
 */
class DeployerLauncherIT {

    private static final Path ROOT = Path.of(System.getProperty("portier.root", "..")).toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("deployer/bin/portier-deployer");
    private static final Path JAR = ROOT.resolve("deployer/target/portier-deployer-all.jar");
    private static final Path ARCHIVE = ROOT.resolve("deployer/target/portier-deployer.jsa");

    record Run(int exit, String out, String err) {
    }

    @Test
    void theBuildsArchiveIsUsable() throws Exception {
        assertTrue(Files.size(ARCHIVE) > 1_000_000, "the build made no archive at " + ARCHIVE);
        Run plain = run(Map.of(), "--version");
        assertEquals(new Run(0, plain.out(), ""), plain);
        assertTrue(plain.out().startsWith("portier-deployer "), plain.out());
        // -Xshare:on refuses to start when the archive cannot be mapped
        Run strict = run(Map.of("PORTIER_JAVA_OPTS", "-Xshare:on"), "--version");
        assertEquals(plain, strict, "the archive does not map: " + strict.err());
    }

    @Test
    void aUsageErrorIsShortWithTheArchive() throws Exception {
        Run r = run(Map.of(), "status", "--bogus");
        assertEquals(2, r.exit());
        assertTrue(r.err().lines().count() <= 3, r.err());
        assertTrue(r.err().contains("--bogus"), r.err());
    }

    @Test
    void startsWithoutOrWithAGarbledArchive() throws Exception {
        Path dir = Files.createTempDirectory("portier-launcher-");
        try {
            Path jar = Files.copy(JAR, dir.resolve("portier-deployer-all.jar"), StandardCopyOption.COPY_ATTRIBUTES);
            Run none = run(Map.of("PORTIER_DEPLOYER_JAR", jar.toString()), "--version");
            assertEquals(0, none.exit(), none.err());
            assertEquals("", none.err());
            Files.write(dir.resolve("portier-deployer.jsa"), new byte[64 * 1024]);
            Run garbled = run(Map.of("PORTIER_DEPLOYER_JAR", jar.toString()), "--version");
            assertEquals(none, garbled);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anotherJdkIgnoresTheArchive() throws Exception {
        Path other = otherJdk();
        Assumptions.assumeTrue(other != null, "no JDK other than this build's under /usr/lib/jvm");
        Run r = run(Map.of("JAVA_HOME", other.toString()), "--version");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err(), "with " + other);
        assertTrue(r.out().startsWith("portier-deployer "), r.out());
    }

    /** A JDK under /usr/lib/jvm of another feature version than the one running the build. */
    private static Path otherJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        Path mine = Path.of(System.getProperty("java.home")).toRealPath();
        try (Stream<Path> dirs = Files.list(jvms)) {
            for (Path d : dirs.sorted().toList()) {
                Path real = d.toRealPath();
                if (Files.isExecutable(real.resolve("bin/java")) && !real.equals(mine)
                        && !d.getFileName().toString().contains("-" + Runtime.version().feature() + "-")
                        && !d.getFileName().toString().endsWith("-" + Runtime.version().feature())) {
                    return real;
                }
            }
        }
        return null;
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("launcher-out-", ".txt");
        Path err = Files.createTempFile("launcher-err-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("PORTIER_JAVA_OPTS");
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the launcher did not exit within 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
