package dev.portier.deploy;

import com.github.dockerjava.api.DockerClient;

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
}
