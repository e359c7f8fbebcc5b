package dev.portier.deploy.fleet;

import com.github.dockerjava.api.DockerClient;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.BackendAddressing;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.session.Session;

/** One engine of the fleet, connected: its client, and a console whose lines name the host. */
public final class Engine implements AutoCloseable {

    private final EngineSpec spec;
    private final DockerClient docker;
    private final Console console;

    private Engine(EngineSpec spec, DockerClient docker, Console console) {
        this.spec = spec;
        this.docker = docker;
        this.console = console;
    }

    /** Connects and pings; a failure (exit code 4) names the host. */
    static Engine open(EngineSpec spec, Console console) throws DeployFailure {
        try {
            return new Engine(spec, DockerConnection.open(spec.docker(), spec.tlsVerify(), spec.certPath()), console.labelled(spec.name()));
        } catch (DeployFailure f) {
            throw new DeployFailure(f.exitCode(), "host " + spec.name() + ": " + f.getMessage(), f);
        }
    }

    public EngineSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public DockerClient docker() {
        return docker;
    }

    public Console console() {
        return console;
    }

    /** How this host's containers are reached: a port published on its address. */
    public BackendAddressing addressing(String network) {
        return new BackendAddressing(spec.address(), network);
    }

    /**
     * The single-host jobs' view of this host (its Docker, the fleet's Redis and webhooks), so
     * retention and the launcher work unchanged on it. Never closed: the fleet session owns both.
     */
    Session view(FleetSession fleet) {
        return new Session(console, docker, fleet.routes(), fleet.webhooks(), fleet.machine());
    }

    @Override
    public void close() {
        DockerConnection.closeQuietly(docker);
    }
}
