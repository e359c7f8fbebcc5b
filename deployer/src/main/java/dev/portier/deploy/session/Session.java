package dev.portier.deploy.session;

import com.github.dockerjava.api.DockerClient;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.docker.DockerConnection;
import dev.portier.deploy.notify.Webhooks;
import dev.portier.deploy.redis.Routes;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What every job talks to, opened once per command (once per tick in watch mode, so a Docker
 * or Redis restart between ticks is simply picked up).
 *
 * @param machine this host's name, sent in webhooks and lock owners
 */
public record Session(Console console, DockerClient docker, Routes routes, Webhooks webhooks, String machine)
        implements AutoCloseable {

    @Override
    public void close() {
        routes.close();
        DockerConnection.closeQuietly(docker);
    }

    /** This host's name, as the old script's {@code hostname} gave it. */
    public static String machineName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }
}
