package dev.portier.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the newest N containers besides the live one for rollback, retires older ones, and
 * removes the images only they used. Only images named in our own labels are ever removed.
 *
 * @param keep          old containers kept (3 by default)
 * @param stopGrace     SIGTERM to SIGKILL delay when retiring
 * @param removeImages  whether unused images of retired containers are removed
 */
public record Retention(int keep, Duration stopGrace, boolean removeImages) {

    /** What a prune did. */
    public record Outcome(List<String> kept, List<String> removed, List<String> imagesRemoved) {
    }

    /** Applies the keep count to one frontend's containers; {@code liveId} (may be null) is never touched. */
    public Outcome apply(DockerClient docker, Console console, String app, String frontend, String liveId) {
        ContainerLauncher launcher = new ContainerLauncher(docker, console);
        List<AppContainer> all = new AppContainers(docker).of(app, frontend);
        List<String> kept = new ArrayList<>();
        List<AppContainer> retire = new ArrayList<>();
        for (AppContainer c : all) {
            if (c.id().equals(liveId)) {
                continue;
            }
            if (kept.size() < keep) {
                kept.add(c.name());
            } else {
                retire.add(c);
            }
        }
        List<String> removed = new ArrayList<>();
        Set<String> candidateImages = new LinkedHashSet<>();
        for (AppContainer c : retire) {
            console.step("retiring %s (version %s, deployed %s): beyond the %d kept for rollback", c.name(), c.version(), c.deployedAt(), keep);
            launcher.retire(c, stopGrace);
            removed.add(c.name());
            candidateImages.add(c.image());
        }
        List<String> imagesRemoved = removeImages ? removeUnused(docker, console, candidateImages) : List.of();
        if (!kept.isEmpty()) {
            console.step("kept for rollback: %s", String.join(", ", kept));
        }
        return new Outcome(kept, removed, imagesRemoved);
    }

    private static List<String> removeUnused(DockerClient docker, Console console, Set<String> images) {
        List<String> out = new ArrayList<>();
        if (images.isEmpty()) {
            return out;
        }
        Set<String> namedInUse = new HashSet<>();
        for (Container c : docker.listContainersCmd().withShowAll(true).exec()) {
            namedInUse.add(c.getImage());
        }
        for (String ref : images) {
            if (namedInUse.contains(ref)) {
                continue;
            }
            try {
                // by reference, never forced: Docker only untags when other tags remain, and
                // refuses (409) when this is the last name of an image some container still uses
                docker.removeImageCmd(ref).exec();
                out.add(ref);
                console.step("removed image %s, no container uses it any more", ref);
            } catch (NotFoundException e) {
                // already gone
            } catch (ConflictException e) {
                console.step("image %s is still in use, kept", ref);
            } catch (RuntimeException e) {
                console.warn("could not remove image %s: %s", ref, DockerConnection.rootMessage(e));
            }
        }
        return out;
    }
}
