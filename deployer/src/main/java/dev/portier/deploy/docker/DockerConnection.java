package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import java.time.Duration;

/** Opens the Docker client: {@code --docker-host}, else DOCKER_HOST, else the unix socket; pinged before use. */
public final class DockerConnection {

    private DockerConnection() {
    }

    /** A client whose engine answered a ping, or a DeployFailure with exit code 4 saying why not. */
    public static DockerClient open(String dockerHost) throws DeployFailure {
        return open(dockerHost, null, null);
    }

    /** The same, with TLS settings of its own (a fleet's engines each have theirs); null keeps DOCKER_TLS_VERIFY / DOCKER_CERT_PATH. */
    public static DockerClient open(String dockerHost, Boolean tlsVerify, String certPath) throws DeployFailure {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null && !dockerHost.isBlank()) {
            builder.withDockerHost(dockerHost);
        }
        if (tlsVerify != null) {
            builder.withDockerTlsVerify(tlsVerify);
        }
        if (certPath != null) {
            builder.withDockerCertPath(certPath);
        }
        DockerClient client;
        try {
            DefaultDockerClientConfig config = builder.build();
            ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost())
                    .sslConfig(config.getSSLConfig())
                    .maxConnections(32)
                    .connectionTimeout(Duration.ofSeconds(5))
                    // pulls and log streams can be long; our own deadlines bound them
                    .responseTimeout(Duration.ofMinutes(30))
                    .build();
            client = DockerClientImpl.getInstance(config, http);
        } catch (RuntimeException e) {
            throw new DeployFailure(ExitCode.DOCKER_UNAVAILABLE, "Docker host '" + dockerHost + "' is not usable: " + e.getMessage(), e);
        }
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            closeQuietly(client);
            throw new DeployFailure(ExitCode.DOCKER_UNAVAILABLE,
                    "Docker is unreachable at " + (dockerHost == null ? "the default socket" : dockerHost) + ": " + Failures.rootMessage(e), e);
        }
        return client;
    }

    public static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (Exception ignored) {
            // closing a client that is going away anyway
        }
    }

}
