package dev.portier.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import dev.portier.common.BackendUrl;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Starts a labelled web container, waits for its address, and takes it away again when it fails. */
public final class ContainerLauncher {

    private static final DateTimeFormatter NAME_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration START_RETRY = Duration.ofSeconds(5);

    private final DockerClient docker;
    private final Console console;
    private final Clock clock;

    public ContainerLauncher(DockerClient docker, Console console) {
        this(docker, console, Clock.systemUTC());
    }

    ContainerLauncher(DockerClient docker, Console console, Clock clock) {
        this.docker = docker;
        this.console = console;
        this.clock = clock;
    }

    /** Creates and starts the container; labels are set at create so a crash never leaves an unlabelled one. */
    public String launch(LaunchSpec spec) throws DeployFailure {
        Instant now = clock.instant();
        String name = containerName(spec.app(), spec.version(), now);
        Map<String, String> labels = new HashMap<>();
        labels.put(Labels.ROLE, Labels.ROLE_WEB);
        labels.put(Labels.APP, spec.app());
        labels.put(Labels.FRONTEND, spec.frontend());
        labels.put(Labels.VERSION, spec.version());
        labels.put(Labels.IMAGE, spec.image().toString());
        labels.put(Labels.DEPLOYED_AT, now.toString());
        labels.put(Labels.PORT, String.valueOf(spec.port()));
        labels.put(Labels.HEALTH_PATH, spec.healthPath());
        labels.put(Labels.BACKEND_ADDRESS, spec.addressing().label());

        List<Bind> binds = new ArrayList<>();
        for (String v : spec.volumes()) {
            binds.add(Bind.parse(v));
        }
        if (spec.logDir() != null) {
            LogDirs.prepare(docker, spec.image().toString(), spec.logDir(), console);
            binds.add(Bind.parse(spec.logDir() + ":/logs"));
        }
        HostConfig host = HostConfig.newHostConfig().withBinds(binds);
        Optional<PortBinding> binding = spec.addressing().binding(spec.port());
        binding.ifPresent(b -> host.withPortBindings(b));
        if (spec.addressing().network() != null) {
            host.withNetworkMode(spec.addressing().network());
        }
        CreateContainerCmd create = docker.createContainerCmd(spec.image().toString())
                .withName(name)
                .withLabels(labels)
                .withEnv(spec.env())
                .withExposedPorts(ExposedPort.tcp(spec.port()))
                .withHostConfig(host);
        if (spec.hostname() != null && !spec.hostname().isBlank()) {
            create.withHostName(spec.hostname());
        }
        String id;
        try {
            id = create.exec().getId();
        } catch (DockerException e) {
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, "cannot create container " + name + ": " + DockerConnection.rootMessage(e), e);
        }
        console.step("created container %s (%s) from %s", name, id.substring(0, 12), spec.image());
        start(id, name);
        return id;
    }

    /** Starts an existing container, retrying for a few seconds as the script did (the engine can be briefly busy). */
    public void start(String id, String name) throws DeployFailure {
        long deadline = System.nanoTime() + START_RETRY.toNanos();
        while (true) {
            try {
                docker.startContainerCmd(id).exec();
                console.step("started container %s", name);
                return;
            } catch (com.github.dockerjava.api.exception.NotModifiedException e) {
                return;
            } catch (DockerException e) {
                if (System.nanoTime() > deadline || e.getHttpStatus() < 500) {
                    List<String> logs = tailLogs(id, 20);
                    discard(id, name);
                    throw new DeployFailure(ExitCode.DEPLOY_FAILED,
                            "cannot start container " + name + ": " + DockerConnection.rootMessage(e), e).withLogTail(logs);
                }
                pause(Duration.ofMillis(500));
            }
        }
    }

    /**
     * Waits until Docker reports the address the proxy will use; fails when the container stops
     * first or no address appears within {@code timeout}.
     */
    public BackendUrl awaitAddress(String id, int port, BackendAddressing addressing, Duration timeout) throws DeployFailure {
        AppContainers containers = new AppContainers(docker);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<AppContainer> c = containers.byId(id);
            if (c.isEmpty()) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, "container " + id.substring(0, 12) + " disappeared");
            }
            Optional<String> exited = exitReason(id);
            if (exited.isPresent()) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, exited.get());
            }
            Optional<BackendUrl> backend = addressing.backendOf(port, c.get().networkIps(), c.get().published());
            if (backend.isPresent()) {
                console.step("container %s has address %s", c.get().name(), backend.get());
                return backend.get();
            }
            if (System.nanoTime() > deadline) {
                throw new DeployFailure(ExitCode.DEPLOY_FAILED, "container " + c.get().name() + " got no "
                        + (addressing.published() ? "published port for " + port + " on " + addressing.hostAddress() : "IP address")
                        + " within " + timeout.toSeconds() + " s");
            }
            pause(Duration.ofMillis(100));
        }
    }

    /** Why the container is not running any more, or empty while it runs. */
    public Optional<String> exitReason(String id) {
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            if (Boolean.TRUE.equals(state.getRunning()) || Boolean.TRUE.equals(state.getRestarting())) {
                return Optional.empty();
            }
            StringBuilder why = new StringBuilder("container exited with code ").append(state.getExitCodeLong());
            if (Boolean.TRUE.equals(state.getOOMKilled())) {
                why.append(" (killed: out of memory)");
            }
            if (state.getError() != null && !state.getError().isEmpty()) {
                why.append(": ").append(state.getError());
            }
            return Optional.of(why.toString());
        } catch (NotFoundException e) {
            return Optional.of("container is gone");
        }
    }

    /** The container's last log lines, stdout and stderr interleaved as Docker stored them. */
    public List<String> tailLogs(String id, int lines) {
        List<String> out = new ArrayList<>();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
                            for (String l : text.split("\\R")) {
                                if (!l.isEmpty()) {
                                    synchronized (out) {
                                        out.add(l);
                                    }
                                }
                            }
                        }
                    }).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            out.add("(logs unavailable: " + DockerConnection.rootMessage(e) + ")");
        }
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    /** Kills and removes a container that must never receive traffic; errors are reported, not thrown. */
    public void discard(String id, String name) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            console.step("killed and removed container %s", name);
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            console.warn("could not remove container %s: %s", name, DockerConnection.rootMessage(e));
        }
    }

    /** Stops (SIGTERM, then SIGKILL after {@code grace}) and removes an old container. */
    public void retire(AppContainer c, Duration grace) {
        try {
            if (c.running()) {
                docker.stopContainerCmd(c.id()).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
            }
        } catch (RuntimeException e) {
            // a container that will not stop is removed by force below
        }
        discard(c.id(), c.name());
    }

    static String containerName(String app, String version, Instant at) {
        String v = version.replaceAll("[^a-zA-Z0-9_.-]", "_");
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        return app + "-" + v + "-" + NAME_STAMP.format(at) + "-" + suffix;
    }

    static void pause(Duration d) throws DeployFailure {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, "interrupted");
        }
    }
}
