package dev.portier.deploy.testing;

import dev.portier.deploy.PortierDeployer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The deployer as its own JVM, the way cron runs it, for what an in-process run cannot show:
 * signals, and what reaches the real stderr. Its output goes to files the test reads while it runs.
 */
public final class DeployerProcess implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private DeployerProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code java -cp <this test's class path> PortierDeployer args...}. */
    public static DeployerProcess start(List<String> args) {
        try {
            Path out = Files.createTempFile("deployer-out-", ".txt");
            Path err = Files.createTempFile("deployer-err-", ".txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // two logback.xml on the test class path (the proxy's too) make logback report itself
                    "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                    "-cp", System.getProperty("java.class.path"), PortierDeployer.class.getName()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new DeployerProcess(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Process process() {
        return process;
    }

    public String out() {
        return read(out);
    }

    public String err() {
        return read(err);
    }

    /** Waits for the exit and returns its code; kills the process and fails when it does not end in time. */
    public int exitWithin(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the deployer did not exit within " + seconds + " s\n" + out() + err());
        }
        return process.exitValue();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("deployer process output:\n" + out() + err());
        try {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        } catch (IOException ignored) {
            // temp files
        }
    }
}
