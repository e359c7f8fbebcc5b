package dev.portier.common.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real redis-server process on 127.0.0.1 and a free port, for tests; stop() kills it. */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private final String sentinelConfig;
    private Process process;
    /** Every server process still running: a test JVM stopped by a signal (a CI timeout, ^C) kills them on its way out. */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "redis-test-servers-stop"));
    }

    public RedisServer() {
        this(FreePort.find());
    }

    public RedisServer(int port) {
        this(port, List.of(), null);
    }

    private RedisServer(int port, List<String> extraArgs, String sentinelConfig) {
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
        this.sentinelConfig = sentinelConfig;
        try {
            this.dir = Files.createTempDirectory("redis-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server started with more arguments, e.g. {@code --replicaof 127.0.0.1 6379}. */
    public static RedisServer withArgs(String... args) {
        return new RedisServer(FreePort.find(), List.of(args), null);
    }

    /** A Sentinel ({@code redis-server FILE --sentinel}) whose config file starts with {@code config}. */
    public static RedisServer sentinel(String config) {
        return new RedisServer(FreePort.find(), List.of(), config);
    }

    public static String executable() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        for (String f : new String[] {"/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"}) {
            if (new File(f).canExecute()) {
                return f;
            }
        }
        throw new IllegalStateException("redis-server is not on PATH: the tests need a real Redis "
                + "(on Debian: apt-get install -y redis-server)");
    }

    /** Starts the server and waits (up to 10 s) until it answers PING. */
    public synchronized RedisServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> cmd = new ArrayList<>(List.of(executable()));
        try {
            if (sentinelConfig != null) {
                // Sentinel rewrites its file (the master it follows, the others it met)
                Path conf = dir.resolve("sentinel.conf");
                if (!Files.exists(conf)) {
                    Files.writeString(conf, sentinelConfig);
                }
                cmd.addAll(List.of(conf.toString(), "--sentinel"));
            }
            cmd.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--daemonize", "no",
                    "--dir", dir.toString(), "--protected-mode", "no"));
            if (sentinelConfig == null) {
                cmd.addAll(List.of("--save", "", "--appendonly", "no"));
            }
            cmd.addAll(extraArgs);
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            RUNNING.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"+PONG".equals(command("PING"))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start: " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not answer PING within 10 s: " + log());
            }
            Thread.onSpinWait();
        }
        return this;
    }

    /** Kills the server (as a crash would) and waits until it is gone. */
    public synchronized void stop() {
        if (process != null) {
            RUNNING.remove(process);
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Stops the process with SIGSTOP: it keeps its connections open and answers nothing, as a stuck Redis does. */
    public synchronized void freeze() {
        signal("-STOP");
    }

    /** Resumes a {@link #freeze frozen} process (SIGCONT); harmless when it is not frozen. */
    public synchronized void thaw() {
        signal("-CONT");
    }

    private void signal(String sig) {
        if (process == null) {
            return;
        }
        try {
            int rc = new ProcessBuilder("kill", sig, String.valueOf(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill " + sig + " " + process.pid() + " exited with " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** Hipache's driver URL for this server. */
    public String driverUrl() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * Sends one command as redis-cli would and returns the first reply line
     * (e.g. "+OK", ":1"), or null when the server cannot be reached.
     */
    public String command(String... args) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(2000);
            StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends one command and returns the whole reply as text (a bulk string as is, an array's
     * elements one per line, nested arrays flattened), or null when the server cannot be reached.
     */
    public String reply(String... args) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(2000);
            StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            s.getOutputStream().write(b.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            StringBuilder out = new StringBuilder();
            readReply(in, out);
            return out.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static void readReply(java.io.DataInputStream in, StringBuilder out) throws IOException {
        String line = readLine(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '$' -> {
                int n = Integer.parseInt(rest);
                if (n >= 0) {
                    byte[] data = new byte[n];
                    in.readFully(data);
                    readLine(in);
                    out.append(new String(data, StandardCharsets.UTF_8)).append('\n');
                }
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                for (int i = 0; i < n; i++) {
                    readReply(in, out);
                }
            }
            default -> out.append(line).append('\n');
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\r') {
            line.append((char) c);
        }
        in.read(); // the \n
        return line.toString();
    }

    /** The server's log so far, for failure messages. */
    public String logText() {
        return log();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}
