package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.portier.common.BackendUrl;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.console.Pause;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Starts a labelled web container, waits for its address, and takes it away again when it fails. */
public final class ContainerLauncher {

    private static final DateTimeFormatter NAME_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration START_RETRY = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 3;

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

    /** A container this launcher created and started. */
    public record Launched(String id, String name) {
    }

    /**
     * Creates and starts the container; labels are set at create so a crash never leaves an
     * unlabelled one. A published host port that turns out to be taken ({@code address already in
     * use}, on a busy host) is retried on another port instead of failing the deploy.
     */
    public Launched launch(LaunchSpec spec) throws DeployFailure {
        Instant now = clock.instant();
        String name = containerName(spec.app(), spec.version(), now);
        if (spec.logDir() != null) {
            LogDirs.prepare(docker, spec.image().toString(), spec.logDir(), console);
        }
        Integer hostPort = null;
        for (int attempt = 1; ; attempt++) {
            String id = create(spec, name, now, hostPort);
            try {
                startOnce(id, name);
                return new Launched(id, name);
            } catch (DockerException e) {
                boolean collision = spec.addressing().published() && PortCollision.is(e);
                if (!collision || attempt == PORT_ATTEMPTS) {
                    List<String> logs = tailLogs(id, 20);
                    discard(id, name);
                    throw startFailure(name, e, collision).withLogTail(logs);
                }
                discard(id, name);
                hostPort = PortCollision.freePort(spec.addressing().hostAddress()).orElse(null);
                console.warn("Docker could not publish a port for %s (%s): trying again on %s", name,
                        Failures.rootMessage(e), hostPort == null ? "another port Docker chooses" : "free port " + hostPort);
            }
        }
    }

    private String create(LaunchSpec spec, String name, Instant now, Integer hostPort) throws DeployFailure {
        int port = Objects.requireNonNull(spec.port(), "container port");
        // the operator's labels and the record of the options first: ours cannot be overridden
        Map<String, String> labels = new HashMap<>(spec.options().toLabels());
        labels.put(Labels.ROLE, Labels.ROLE_WEB);
        labels.put(Labels.APP, spec.app());
        labels.put(Labels.FRONTEND, spec.frontend());
        labels.put(Labels.VERSION, spec.version());
        labels.put(Labels.IMAGE, spec.image().toString());
        labels.put(Labels.DEPLOYED_AT, now.toString());
        labels.put(Labels.PORT, String.valueOf(port));
        labels.put(Labels.HEALTH_PATH, spec.healthPath());
        labels.put(Labels.BACKEND_ADDRESS, spec.addressing().label());
        labels.put(Labels.LIVE_RECORD, Labels.LIVE_RECORD_REDIS);

        List<Bind> binds = new ArrayList<>();
        for (String v : spec.volumes()) {
            binds.add(Bind.parse(v));
        }
        if (spec.logDir() != null) {
            binds.add(Bind.parse(spec.logDir() + ":/logs"));
        }
        HostConfig host = HostConfig.newHostConfig().withBinds(binds);
        List<PortBinding> bindings = new ArrayList<>();
        spec.addressing().binding(port, hostPort).ifPresent(bindings::add);
        List<ExposedPort> exposed = new ArrayList<>(List.of(ExposedPort.tcp(port)));
        ContainerOptions options = spec.options();
        for (ExtraPort p : options.publish()) {
            exposed.add(ExposedPort.tcp(p.containerPort()));
            bindings.add(new PortBinding(p.hostPort() == null ? Ports.Binding.bindIp(p.hostAddress())
                    : Ports.Binding.bindIpAndPort(p.hostAddress(), p.hostPort()), ExposedPort.tcp(p.containerPort())));
        }
        if (!bindings.isEmpty()) {
            host.withPortBindings(bindings);
        }
        if (options.memoryBytes() != null) {
            host.withMemory(options.memoryBytes());
        }
        if (options.nanoCpus() != null) {
            host.withNanoCPUs(options.nanoCpus());
        }
        if (!options.addHosts().isEmpty()) {
            host.withExtraHosts(options.addHosts().toArray(new String[0]));
        }
        if (spec.addressing().network() != null) {
            host.withNetworkMode(spec.addressing().network());
        }
        CreateContainerCmd create = docker.createContainerCmd(spec.image().toString())
                .withName(name)
                .withLabels(labels)
                .withEnv(spec.env())
                .withExposedPorts(exposed)
                .withHostConfig(host);
        if (spec.hostname() != null && !spec.hostname().isBlank()) {
            create.withHostName(spec.hostname());
        }
        try {
            String id = create.exec().getId();
            console.step("created container %s (%s) from %s", name, id.substring(0, 12), spec.image());
            return id;
        } catch (DockerException e) {
            throw new DeployFailure(ExitCode.DEPLOY_FAILED, "cannot create container " + name + ": " + Failures.rootMessage(e), e);
        }
    }

    /** Starts an existing container, retrying for a few seconds as the script did (the engine can be briefly busy). */
    public void start(String id, String name) throws DeployFailure {
        try {
            startOnce(id, name);
        } catch (DockerException e) {
            List<String> logs = tailLogs(id, 20);
            throw startFailure(name, e, PortCollision.is(e)).withLogTail(logs);
        }
    }

    private void startOnce(String id, String name) throws DeployFailure {
        long deadline = System.nanoTime() + START_RETRY.toNanos();
        while (true) {
            try {
                docker.startContainerCmd(id).exec();
                console.step("started container %s", name);
                return;
            } catch (NotModifiedException e) {
                return;
            } catch (DockerException e) {
                if (System.nanoTime() > deadline || e.getHttpStatus() < 500 || PortCollision.is(e)) {
                    throw e;
                }
                Pause.of(Duration.ofMillis(500), "while starting container " + name);
            }
        }
    }

    /** A 5xx is the engine's trouble (exit 4), not the new version's; a 4xx is what we asked of it (exit 1). */
    private static DeployFailure startFailure(String name, DockerException e, boolean collision) {
        if (collision || e.getHttpStatus() >= 500) {
            return new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "Docker could not start container " + name
                    + (collision ? " (no free host port)" : "") + ": " + Failures.rootMessage(e), e);
        }
        return new DeployFailure(ExitCode.DEPLOY_FAILED, "cannot start container " + name + ": " + Failures.rootMessage(e), e);
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
            Pause.of(Duration.ofMillis(100), "while waiting for the address of container " + c.get().name());
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
            out.add("(logs not read: interrupted)");
        } catch (RuntimeException e) {
            out.add("(logs unavailable: " + Failures.rootMessage(e) + ")");
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
            console.warn("could not remove container %s: %s", name, Failures.rootMessage(e));
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
}
