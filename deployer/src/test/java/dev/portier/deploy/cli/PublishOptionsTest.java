package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DockerHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Extra published ports and container options on deploy: shown by status, answering, kept by a rollback. */
class PublishOptionsTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    private static final String[] OPTIONS = {"--publish", "yourkit=10001", "--publish", "jmx=9010@127.0.0.1",
        "--memory", "64m", "--cpus", "0.5", "--label", "team=web", "--add-host", "db.internal:10.1.2.3"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void twoExtraPortsAnswerAndAreShownAndARollbackKeepsLimitsAndPorts() throws Exception {
        String m1 = H.images.tag(H.images.multiPort(), "m1");
        String m2 = H.images.tag(H.images.multiPort(), "m2");
        assertEquals(0, H.deploy(m1, "p.test", OPTIONS).exit());

        JsonNode v1 = container(status(), "m1");
        assertTrue(v1.get("live").asBoolean());
        assertExtraPortsAnswer(v1);
        assertEquals("64m", v1.get("memory").asText());
        assertEquals(0.5, v1.get("cpus").asDouble());
        assertEquals("web", v1.get("labels").get("team").asText());
        assertEquals("db.internal:10.1.2.3", v1.get("addHosts").get(0).asText());
        String text = H.cli("status").out();
        assertTrue(text.contains("ports: yourkit " + v1.get("ports").get("yourkit").asText() + ", jmx " + v1.get("ports").get("jmx").asText()), text);
        assertTrue(text.contains("memory 64m   cpus 0.5"), text);

        Container c1 = H.containers("m1").get(0);
        assertLimits(c1.getId());
        assertTrue(Arrays.asList(inspect(c1.getId()).getHostConfig().getExtraHosts()).contains("db.internal:10.1.2.3"));
        assertEquals("web", c1.getLabels().get("team"));

        // the next version, then the kept m1 loosened by hand while it was not live
        assertEquals(0, H.deploy(m2, "p.test", OPTIONS).exit());
        assertNotEquals(v1.get("ports").get("yourkit").asText(), container(status(), "m2").get("ports").get("yourkit").asText(),
                "the live and the kept container publish the profiler port on ports of their own");
        H.docker.updateContainerCmd(c1.getId()).withMemory(128L << 20).withMemorySwap(256L << 20).withNanoCPUs(1_000_000_000L).exec();
        H.docker.stopContainerCmd(c1.getId()).withTimeout(0).exec();

        DockerHarness.Run back = H.cli("rollback", "--frontend", "p.test", "--health-interval", "200ms", "--health-deadline", "5s");
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().contains("restored the limits"), back.out());
        assertLimits(c1.getId());
        JsonNode again = container(status(), "m1");
        assertTrue(again.get("live").asBoolean());
        assertExtraPortsAnswer(again);
    }

    @Test
    void aMalformedOptionIsAUsageErrorAndStartsNothing() {
        DockerHarness.Run r = H.deploy(H.images.v1(), "p.test", "--publish", "yourkit");
        assertEquals(ExitCode.USAGE, r.exit(), r.all());
        assertTrue(r.err().contains("NAME=CONTAINERPORT"), r.err());
        DockerHarness.Run label = H.deploy(H.images.v1(), "p.test", "--label", "dev.portier.version=v9");
        assertEquals(ExitCode.USAGE, label.exit(), label.all());
        assertTrue(label.err().contains("the deployer's own"), label.err());
        assertEquals(List.of(), H.containers());
    }

    private void assertExtraPortsAnswer(JsonNode c) throws IOException, InterruptedException {
        JsonNode ports = c.get("ports");
        assertEquals(2, ports.size(), c.toString());
        for (String name : List.of("yourkit", "jmx")) {
            String at = ports.get(name).asText();
            assertTrue(at.startsWith("127.0.0.1:"), name + " published on " + at);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + at + "/")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), name);
            assertEquals("multi", r.body().trim(), name);
        }
    }

    private static void assertLimits(String id) {
        InspectContainerResponse i = inspect(id);
        assertEquals(64L << 20, i.getHostConfig().getMemory());
        assertEquals(500_000_000L, i.getHostConfig().getNanoCPUs());
    }

    private static InspectContainerResponse inspect(String id) {
        return H.docker.inspectContainerCmd(id).exec();
    }

    private static JsonNode status() throws IOException {
        DockerHarness.Run r = H.cli("status", "--json", "--frontend", "p.test");
        assertEquals(0, r.exit(), r.all());
        return new ObjectMapper().readTree(r.out());
    }

    private static JsonNode container(JsonNode status, String version) {
        for (JsonNode c : status.get("frontends").get(0).get("containers")) {
            if (version.equals(c.get("version").asText())) {
                return c;
            }
        }
        throw new AssertionError("no container of version " + version + " in " + status);
    }
}
