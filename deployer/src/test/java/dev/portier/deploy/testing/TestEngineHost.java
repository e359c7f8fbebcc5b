package dev.portier.deploy.testing;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.DockerConnection;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A test host of its own on this machine: a network namespace joined to the machine by a veth
 * pair with link-local addresses (this side {@code .1}, the namespace {@code .2}), running its own
 * {@code dockerd} (entered with {@code nsenter --net}, which keeps the cgroup mounts that {@code ip
 * netns exec} hides) with its own socket, data root, exec root and pid file. Its containers publish
 * ports on {@link #address()}, which the machine reaches through the veth. Names and addresses are
 * random per instance, so parallel tests never collide. {@link #close()} takes everything away —
 * containers, dockerd (restarted first if a test killed it, so its containers go the proper way),
 * stray processes in the namespace, mounts, the namespace, the veth, the directories — and is
 * safe to call after a failed start. Needs root.
 */
public final class TestEngineHost implements AutoCloseable {

    private static final Duration ENGINE_START = Duration.ofSeconds(90);

    private final String name;
    private final String netns;
    private final String vethHost;
    private final String hostSide;
    private final String address;
    private final Path dir;
    private Process dockerd;
    private DockerClient docker;

    private TestEngineHost(String name) {
        this.name = name;
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        this.netns = "pt" + id;
        this.vethHost = "pt" + id + "h";
        int third = ThreadLocalRandom.current().nextInt(100, 250);
        int block = ThreadLocalRandom.current().nextInt(0, 63) * 4;
        this.hostSide = "169.254." + third + "." + (block + 1);
        this.address = "169.254." + third + "." + (block + 2);
        this.dir = Path.of("/tmp", "pe-" + id);
    }

    /** Makes the namespace, the veth and the engine, and waits until the engine answers; cleans up and throws when it cannot. */
    public static TestEngineHost start(String name) {
        TestEngineHost h = new TestEngineHost(name);
        try {
            Files.createDirectories(h.dir);
            sh("ip", "netns", "add", h.netns);
            sh("ip", "link", "add", h.vethHost, "type", "veth", "peer", "name", h.vethHost + "n");
            sh("ip", "link", "set", h.vethHost + "n", "netns", h.netns);
            sh("ip", "addr", "add", h.hostSide + "/30", "dev", h.vethHost);
            sh("ip", "link", "set", h.vethHost, "up");
            sh("ip", "-n", h.netns, "addr", "add", h.address + "/30", "dev", h.vethHost + "n");
            sh("ip", "-n", h.netns, "link", "set", h.vethHost + "n", "up");
            sh("ip", "-n", h.netns, "link", "set", "lo", "up");
            h.startEngine();
            return h;
        } catch (RuntimeException | IOException e) {
            h.close();
            throw new IllegalStateException("test host " + name + " did not start: " + e.getMessage(), e);
        }
    }

    /** The host's name in hosts files and messages. */
    public String name() {
        return name;
    }

    /** The engine's URL. */
    public String dockerUrl() {
        return "unix://" + dir.resolve("d.sock");
    }

    /** The namespace's address: where its containers' ports are published and reached. */
    public String address() {
        return address;
    }

    /** A client of this engine (reopened after a restart). */
    public DockerClient docker() {
        return docker;
    }

    /** A hosts-file entry for this host, YAML. */
    public String hostsEntry() {
        return "  - name: " + name + "\n    docker: " + dockerUrl() + "\n    address: " + address + "\n";
    }

    /** Copies images from another engine ({@code docker save | docker load}). */
    public void load(DockerClient from, String... images) {
        for (String image : images) {
            try (InputStream tar = from.saveImageCmd(image).exec()) {
                docker.loadImageCmd(tar).exec();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Whether the engine's process is alive. */
    public boolean engineRunning() {
        return dockerd != null && dockerd.isAlive();
    }

    /** Kills the engine with SIGKILL, as a crash would; its containers' processes may live on until it restarts. */
    public void killEngine() {
        if (dockerd != null) {
            dockerd.destroyForcibly();
            try {
                dockerd.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        DockerConnection.closeQuietly(docker);
    }

    /** Starts the engine again on the same directories (it stops the containers a crash left running, as after a reboot). */
    public void restartEngine() {
        if (engineRunning()) {
            return;
        }
        // as a reboot would: what the crashed engine left running goes first (a fresh dockerd
        // may otherwise fail to take over its predecessor's containerd state)
        killNamespaceProcesses();
        killContainerProcesses();
        // the exec root is run-time state (/var/run on a real host, emptied by a reboot): a stale
        // containerd pid file or socket there makes the new engine wait for a containerd that is gone
        unmountUnder(dir.resolve("x"));
        TestImages.deleteTree(dir.resolve("x"));
        // and its NAT rules, which a reboot empties too: left in place they send a port the new
        // engine hands out again to the crashed engine's container address
        for (String table : List.of("nat", "filter")) {
            quiet("ip", "netns", "exec", netns, "iptables", "-t", table, "-F");
            quiet("ip", "netns", "exec", netns, "iptables", "-t", table, "-X");
        }
        try {
            startEngine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startEngine() throws IOException {
        Files.deleteIfExists(dir.resolve("pid"));
        dockerd = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + netns, "dockerd", "-H", dockerUrl(),
                "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("x").toString(),
                "--pidfile", dir.resolve("pid").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile())).start();
        DockerClient[] opened = new DockerClient[1];
        await("engine of test host " + name).atMost(ENGINE_START).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!dockerd.isAlive()) {
                throw new IllegalStateException("dockerd exited: " + tail());
            }
            try {
                opened[0] = DockerConnection.open(dockerUrl());
                return true;
            } catch (DeployFailure e) {
                return false;
            }
        });
        docker = opened[0];
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        try {
            if (dockerd != null && !dockerd.isAlive()) {
                restartEngine();
            }
            if (docker != null) {
                for (Container c : docker.listContainersCmd().withShowAll(true).exec()) {
                    docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                }
            }
        } catch (RuntimeException e) {
            System.err.println("test host " + name + ": containers not removed through the engine: " + e.getMessage());
        }
        DockerConnection.closeQuietly(docker);
        if (dockerd != null) {
            dockerd.destroy();
            try {
                if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killNamespaceProcesses();
        unmountUnder(dir);
        quiet("ip", "netns", "del", netns);
        quiet("ip", "link", "del", vethHost);
        TestImages.deleteTree(dir);
    }

    /**
     * The processes of the containers a killed engine left running: they live in network
     * namespaces of their own, so only their cgroups (named by container id, which this engine's
     * data root lists) find them. Left alive, one keeps its bridge address, which the new engine
     * hands to a new container.
     */
    private void killContainerProcesses() {
        File[] ids = dir.resolve("data").resolve("containers").toFile().listFiles(File::isDirectory);
        if (ids == null) {
            return;
        }
        for (File id : ids) {
            for (String controller : List.of("pids", "memory", "cpu,cpuacct", "systemd")) {
                Path procs = Path.of("/sys/fs/cgroup", controller, "docker", id.getName(), "cgroup.procs");
                try {
                    for (String pid : Files.readAllLines(procs)) {
                        if (!pid.isBlank()) {
                            quiet("kill", "-9", pid.trim());
                        }
                    }
                } catch (IOException ignored) {
                    // no such cgroup: nothing left running there
                }
            }
        }
    }

    /** Containerd and shims a killed engine left behind run in the namespace. */
    private void killNamespaceProcesses() {
        for (String pid : quiet("ip", "netns", "pids", netns).split("\\s+")) {
            if (!pid.isBlank()) {
                quiet("kill", "-9", pid.trim());
            }
        }
    }

    private static void unmountUnder(Path dir) {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(dir.toString())) {
                    points.add(f[1]);
                }
            }
            for (String p : Set.copyOf(points).stream().sorted(Comparator.comparing(String::length).reversed()).toList()) {
                quiet("umount", "-l", p);
            }
        } catch (IOException ignored) {
            // no mounts to read
        }
    }

    private static void sh(String... cmd) {
        String out = run(cmd);
        if (out.startsWith("!")) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out.substring(1));
        }
    }

    private static String quiet(String... cmd) {
        String out = run(cmd);
        return out.startsWith("!") ? "" : out;
    }

    /** Runs a command; its output, or {@code !} and the output when it failed. */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "!timed out";
            }
            return p.exitValue() == 0 ? out : "!" + out.trim();
        } catch (IOException e) {
            return "!" + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "!interrupted";
        }
    }
}
