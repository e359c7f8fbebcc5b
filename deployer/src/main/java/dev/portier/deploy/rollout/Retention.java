package dev.portier.deploy.rollout;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.docker.AppContainer;
import dev.portier.deploy.docker.ContainerLauncher;
import dev.portier.deploy.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the N containers besides the live one that served most recently, for rollback; retires
 * the others and containers that never served, and removes the images only they used. Only images
 * named in our own labels are ever removed.
 *
 * @param keep          old containers kept (3 by default)
 * @param stopGrace     SIGTERM to SIGKILL delay when retiring
 * @param removeImages  whether unused images of retired containers are removed
 */
public record Retention(int keep, Duration stopGrace, boolean removeImages) {

    /** What a prune did. */
    public record Outcome(List<String> kept, List<String> removed, List<String> imagesRemoved) {
    }

    /** Applies the keep count to one frontend's containers; the live one is never touched. */
    public Outcome apply(Session session, String app, String frontend) {
        Console console = session.console();
        ServingHistory history = ServingHistory.read(session, app, frontend);
        List<AppContainer> served = history.servedBefore();
        List<AppContainer> kept = served.subList(0, Math.min(keep, served.size()));
        ContainerLauncher launcher = new ContainerLauncher(session.docker(), console);
        List<String> removed = new ArrayList<>();
        Set<String> candidateImages = new LinkedHashSet<>();
        for (AppContainer c : history.neverLive()) {
            console.step("retiring %s (version %s, deployed %s): it never served", c.name(), c.version(), c.deployedAt());
            launcher.retire(c, stopGrace);
            removed.add(c.id());
            candidateImages.add(c.image());
        }
        for (AppContainer c : served.subList(kept.size(), served.size())) {
            console.step("retiring %s (version %s, last live %s): beyond the %d kept for rollback", c.name(), c.version(),
                    history.lastLive(c).orElseThrow(), keep);
            launcher.retire(c, stopGrace);
            removed.add(c.id());
            candidateImages.add(c.image());
        }
        session.routes().forgetLiveTimes(frontend, removed);
        List<String> imagesRemoved = removeImages ? removeUnused(session.docker(), console, candidateImages) : List.of();
        List<String> keptNames = kept.stream().map(AppContainer::name).toList();
        if (!keptNames.isEmpty()) {
            console.step("kept for rollback: %s", String.join(", ", keptNames));
        }
        List<String> removedNames = history.all().stream().filter(c -> removed.contains(c.id())).map(AppContainer::name).toList();
        return new Outcome(keptNames, removedNames, imagesRemoved);
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
                console.warn("could not remove image %s: %s", ref, Failures.rootMessage(e));
            }
        }
        return out;
    }
}
