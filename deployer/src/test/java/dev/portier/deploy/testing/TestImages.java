package dev.portier.deploy.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.docker.DockerConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test images built locally from busybox-static (no registry here), once per test run, and
 * removed with every container made from them when the run ends, failed or not. Every image
 * carries the label {@code dev.portier.test=<run>}, which its containers inherit, so cleanup
 * finds them all.
 */
public final class TestImages implements AutoCloseable {

    public static final String TEST_LABEL = "dev.portier.test";

    private static TestImages instance;

    final String run = UUID.randomUUID().toString().substring(0, 8);
    /** Repository every test tag lives in, so watch mode can name versions by tag. */
    public final String repo = "portier-test-" + run + "/web";
    private final DockerClient docker;

    private TestImages(DockerClient docker) {
        this.docker = docker;
    }

    /** The run's images, built on first use and removed when the root test context closes. */
    public static synchronized TestImages get(ExtensionContext context) throws DeployFailure {
        if (instance == null) {
            // its own client: test classes close theirs before the run ends and the images go
            TestImages images = new TestImages(DockerConnection.open(null));
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("portier-test-images", images);
            instance = images;
            images.buildAll();
        }
        return instance;
    }

    /** Healthy, answers its version on /, /health and /cgi-bin/checkout (a CGI, 200). */
    public String v1() {
        return repo + ":v1";
    }

    public String v2() {
        return repo + ":v2";
    }

    /**
     * Healthy, answers "broken" on / and /health, but 500 on /cgi-bin/checkout: the release that
     * passes its health check and fails the checkout page.
     */
    public String broken() {
        return repo + ":broken";
    }

    /** Serves / but /health is 404 forever. */
    public String sick() {
        return repo + ":sick";
    }

    /** Prints a line, one to stderr, and exits 3 at once. */
    public String crash() {
        return repo + ":crash";
    }

    /** No EXPOSE and no port given: the deploy must refuse. */
    public String noPort() {
        return repo + ":noport";
    }

    /** Like v1 ("multi" on /), and the same answers on ports 9010 and 10001 too (stand-ins for JMX and a profiler). */
    public String multiPort() {
        return repo + ":multi";
    }

    /** Just sleeps; stands in for the Redis and proxy images in bootstrap tests. */
    public String sleeper() {
        return repo + ":sleeper";
    }

    private void buildAll() {
        build("v1", HTTPD, "v1", true, true, 200);
        build("v2", HTTPD, "v2", true, true, 200);
        build("broken", HTTPD, "broken", true, true, 500);
        build("sick", HTTPD, "sick", false, true);
        build("crash", "[\"/bin/busybox\",\"sh\",\"-c\",\"echo booting crash image; echo 'fatal: DATABASE_URL is not set' >&2; exit 3\"]",
                null, false, true);
        build("noport", HTTPD, "noport", true, false);
        build("sleeper", "[\"/bin/busybox\",\"sleep\",\"3600\"]", null, false, false);
        build("multi", "[\"/bin/busybox\",\"sh\",\"-c\",\"/bin/busybox httpd -p 9010 -h /www && /bin/busybox httpd -p 10001 -h /www"
                + " && exec /bin/busybox httpd -f -p 8080 -h /www\"]", "multi", true, true);
    }

    private static final String HTTPD = "[\"/bin/busybox\",\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]";

    /** Tags an existing test image under another tag of the repository (removed with the rest). */
    public String tag(String source, String newTag) {
        docker.tagImageCmd(source, repo, newTag).exec();
        return repo + ":" + newTag;
    }

    private void build(String tag, String entrypoint, String body, boolean healthy, boolean expose) {
        build(tag, entrypoint, body, healthy, expose, 0);
    }

    /**
     * {@code body} (when not null) is served on / and, when {@code healthy}, on /health too;
     * {@code checkout} (when not 0) is the status of /cgi-bin/checkout, a CGI script busybox
     * httpd runs (its answer starts with its own status line, which httpd passes on as is).
     */
    private void build(String tag, String entrypoint, String body, boolean healthy, boolean expose, int checkout) {
        Path dir;
        try {
            dir = Files.createTempDirectory("portier-img-");
            Files.copy(Path.of("/bin/busybox"), dir.resolve("busybox"));
            Files.createDirectories(dir.resolve("www"));
            if (body != null) {
                Files.writeString(dir.resolve("www/index.html"), body + "\n");
            }
            if (healthy) {
                Files.writeString(dir.resolve("www/health"), body + "\n");
            }
            if (checkout != 0) {
                Path script = Files.createDirectories(dir.resolve("www/cgi-bin")).resolve("checkout");
                Files.writeString(script, "#!/bin/busybox sh\nprintf 'HTTP/1.1 " + checkout + " " + (checkout == 200 ? "OK" : "Internal Server Error")
                        + "\\r\\nContent-Type: text/plain\\r\\n\\r\\ncheckout " + body + "\\n'\n");
                script.toFile().setExecutable(true, false);
            }
            Files.writeString(dir.resolve("Dockerfile"), String.join("\n",
                    "FROM scratch",
                    "COPY busybox /bin/busybox",
                    "COPY www /www",
                    "LABEL " + TEST_LABEL + "=" + run,
                    expose ? "EXPOSE 8080" : "",
                    "ENTRYPOINT " + entrypoint, ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare build context (busybox-static at /bin/busybox?)", e);
        }
        try {
            docker.buildImageCmd(dir.toFile()).withTags(Set.of(repo + ":" + tag)).withPull(false).withNoCache(false)
                    .start().awaitImageId();
        } finally {
            deleteTree(dir);
        }
    }

    /** Removes every container made from the run's images (any app), then the images. */
    public void removeContainers() {
        List<Container> cs = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(TEST_LABEL, run)).exec();
        for (Container c : cs) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        removeContainers();
        List<Image> images = docker.listImagesCmd().withLabelFilter(Map.of(TEST_LABEL, run)).exec();
        for (Image i : images) {
            try {
                docker.removeImageCmd(i.getId()).withForce(true).exec();
            } catch (RuntimeException ignored) {
                // removed by a prune under test
            }
        }
        DockerConnection.closeQuietly(docker);
        synchronized (TestImages.class) {
            instance = null;
        }
    }

    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }
}
