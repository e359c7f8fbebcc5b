package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerConfig;
import dev.portier.deploy.console.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prepares a host log directory before a container gets it mounted at {@code /logs}. Left to
 * Docker, a missing directory is created owned by root, and a container running as a non-root
 * user (every portier image runs as uid 10001) cannot write its day files there. So: create it
 * here, and when the image names a numeric non-root user and the directory is not theirs, hand it
 * over (possible when the deployer runs as root). Anything that fails is a warning, never a failed
 * deploy: the container still runs and logs to docker logs.
 */
public final class LogDirs {

    private LogDirs() {
    }

    public static void prepare(DockerClient docker, String image, Path dir, Console console) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            console.warn("cannot create log directory %s (%s); Docker will create it owned by root", dir, e.getMessage());
            return;
        }
        Integer uid = imageUid(docker, image);
        if (uid == null || uid == 0) {
            return;
        }
        try {
            int owner = (Integer) Files.getAttribute(dir, "unix:uid");
            if (owner == uid) {
                return;
            }
            Files.setAttribute(dir, "unix:uid", uid);
            Integer gid = imageGid(docker, image);
            if (gid != null) {
                Files.setAttribute(dir, "unix:gid", gid);
            }
            console.step("log directory %s handed to uid %d, the user of %s", dir, uid, image);
        } catch (IOException | RuntimeException e) {
            console.warn("log directory %s is not owned by uid %d, the user of %s, and cannot be handed over (%s): "
                    + "its log files cannot be written; chown it to %d", dir, uid, image, e.getMessage(), uid);
        }
    }

    /** The image's user when numeric ({@code 10001} or {@code 10001:10001}); null for a name or none. */
    private static Integer imageUid(DockerClient docker, String image) {
        return part(user(docker, image), 0);
    }

    private static Integer imageGid(DockerClient docker, String image) {
        return part(user(docker, image), 1);
    }

    private static String user(DockerClient docker, String image) {
        try {
            ContainerConfig config = docker.inspectImageCmd(image).exec().getConfig();
            return config == null ? null : config.getUser();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Integer part(String user, int index) {
        if (user == null || user.isBlank()) {
            return null;
        }
        String[] parts = user.split(":");
        if (parts.length <= index || !parts[index].matches("\\d+")) {
            return null;
        }
        return Integer.valueOf(parts[index]);
    }
}
