package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.console.Failures;
import dev.portier.deploy.console.Pause;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Makes sure an image is on this host, pulling it only when it is absent (as the script did). */
public record ImageFetcher(DockerClient docker, Console console, Duration pullTimeout) {

    /** The image's metadata, pulled first if needed; exit code 6 when it cannot be had. */
    public InspectImageResponse ensurePresent(ImageRef image) throws DeployFailure {
        try {
            InspectImageResponse present = docker.inspectImageCmd(image.toString()).exec();
            console.step("image %s is present (%s), no pull", image, shortId(present.getId()));
            return present;
        } catch (NotFoundException e) {
            // not here: pull below
        }
        console.step("image %s is not present, pulling", image);
        long start = System.nanoTime();
        try {
            var pull = docker.pullImageCmd(image.repository());
            if (image.digest() != null) {
                pull = docker.pullImageCmd(image.toString());
            } else {
                pull.withTag(image.tag());
            }
            boolean done = pull.exec(new ProgressCallback(console, image)).awaitCompletion(pullTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new DeployFailure(ExitCode.IMAGE_UNAVAILABLE,
                        "pull of " + image + " did not finish within " + pullTimeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            throw Pause.interrupted("during the pull of " + image);
        } catch (RuntimeException e) {
            throw new DeployFailure(ExitCode.IMAGE_UNAVAILABLE,
                    "image " + image + " is not present on this host and cannot be pulled: " + Failures.rootMessage(e), e);
        }
        try {
            InspectImageResponse pulled = docker.inspectImageCmd(image.toString()).exec();
            console.step("pulled %s (%s) in %.1f s", image, shortId(pulled.getId()), (System.nanoTime() - start) / 1e9);
            return pulled;
        } catch (NotFoundException e) {
            throw new DeployFailure(ExitCode.IMAGE_UNAVAILABLE, "pull of " + image + " ended but the image is still not present");
        }
    }

    static String shortId(String id) {
        if (id == null) {
            return "?";
        }
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    /** Prints one progress line every few seconds rather than one per layer event. */
    private static final class ProgressCallback extends ResultCallback.Adapter<PullResponseItem> {
        private final Console console;
        private final ImageRef image;
        private long lastPrint = System.nanoTime();

        ProgressCallback(Console console, ImageRef image) {
            this.console = console;
            this.image = image;
        }

        @Override
        public void onNext(PullResponseItem item) {
            if (item.getErrorDetail() != null) {
                onError(new IllegalStateException(item.getErrorDetail().getMessage()));
                return;
            }
            long now = System.nanoTime();
            if (now - lastPrint > TimeUnit.SECONDS.toNanos(3)) {
                lastPrint = now;
                String status = item.getStatus() == null ? "" : item.getStatus();
                var detail = item.getProgressDetail();
                String progress = detail == null || detail.getTotal() == null || detail.getTotal() <= 0 ? ""
                        : String.format(" %d of %d kB", detail.getCurrent() == null ? 0 : detail.getCurrent() / 1024, detail.getTotal() / 1024);
                console.step("pulling %s: %s%s", image, status, progress);
            }
        }
    }
}
