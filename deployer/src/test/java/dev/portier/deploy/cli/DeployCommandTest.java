package dev.portier.deploy.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.portier.common.DeployLock;
import dev.portier.common.RoutingKeys;
import dev.portier.deploy.PortierDeployer;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.docker.Labels;
import dev.portier.deploy.session.Session;
import dev.portier.deploy.testing.DockerHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeployCommandTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @RegisterExtension
    static final WireMockExtension HOOKS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private String hook;

    @BeforeEach
    void hooks() {
        HOOKS.stubFor(post("/hook").willReturn(aResponse().withStatus(204)));
        hook = HOOKS.baseUrl() + "/hook";
    }

    @Test
    void healthyImageIsPromotedLabelledAndReported() throws Exception {
        H.redis.sync().rpush("frontend:app.test", "mysite", "http://10.9.9.9:80");
        H.redis.sync().sadd("dead:app.test", "0");

        DockerHarness.Run run = H.deploy(H.images.v1(), "app.test", "--webhook", hook, "-e", "GREETING=hi");

        assertEquals(0, run.exit(), run.all());
        List<Container> cs = H.containers();
        assertEquals(1, cs.size());
        Container c = cs.get(0);
        Map<String, String> labels = c.getLabels();
        assertEquals(H.app, labels.get(Labels.APP));
        assertEquals("app.test", labels.get(Labels.FRONTEND));
        assertEquals("v1", labels.get(Labels.VERSION));
        assertEquals(H.images.v1(), labels.get(Labels.IMAGE));
        assertTrue(Instant.parse(labels.get(Labels.DEPLOYED_AT)).isAfter(Instant.now().minusSeconds(60)));
        assertEquals("running", c.getState());

        String backend = "http://127.0.0.1:" + c.getPorts()[0].getPublicPort();
        assertEquals(List.of("mysite", backend), H.list("app.test"));
        assertEquals(0L, H.redis.sync().exists("dead:app.test"));
        assertEquals("v1\n", HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(backend + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(List.of(H.docker.inspectContainerCmd(c.getId()).exec().getConfig().getEnv()).contains("GREETING=hi"));
        assertEquals(0L, H.redis.sync().exists(DeployLock.key(RoutingKeys.unprefixed(), "app.test")), "lock released");
        assertTrue(run.out().contains("health:"), "progress lines: " + run.out());
        assertTrue(run.out().matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d deploy .*"), "timestamped: " + run.out());

        HOOKS.verify(1, postRequestedFor(urlEqualTo("/hook")).withHeader("Content-Type", equalTo("application/json")));
        JsonNode body = new ObjectMapper().readTree(HOOKS.findAll(postRequestedFor(urlEqualTo("/hook"))).get(0).getBodyAsString());
        assertEquals("success", body.get("status").asText());
        assertEquals("deploy", body.get("action").asText());
        assertEquals("app.test", body.get("frontend").asText());
        assertEquals(H.images.v1(), body.get("image").asText());
        assertEquals("v1", body.get("version").asText());
        assertEquals(backend, body.get("backend").asText());
        assertEquals(c.getNames()[0].substring(1), body.get("container").asText());
        assertEquals(Session.machineName(), body.get("host").asText());
        assertTrue(body.get("duration").asDouble() > 0, body.toString());
        assertTrue(body.get("error").isNull(), body.toString());
    }

    @Test
    void neverHealthyImageIsRemovedAndLeavesTheLiveListAlone() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        List<String> before = H.list("app.test");
        H.redis.sync().sadd("dead:app.test", "0");

        DockerHarness.Run run = H.deploy(H.images.sick(), "app.test", "--webhook", hook, "--health-deadline", "1s");

        assertEquals(ExitCode.DEPLOY_FAILED, run.exit(), run.all());
        assertEquals(before, H.list("app.test"));
        assertEquals(1L, H.redis.sync().exists("dead:app.test"), "marks untouched: nothing was promoted");
        assertEquals(List.of("v1"), H.containers().stream().map(c -> c.getLabels().get(Labels.VERSION)).toList());
        assertTrue(run.err().contains("never healthy within 1 s"), run.err());
        assertTrue(run.err().contains("HTTP 404"), run.err());
        assertFailureHook("sick", "never healthy");
    }

    @Test
    void aFailedDeployNeverRemovesAContainerTheLiveListStillNames() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        // a "proxy" that never confirms, and while it is asked, someone else edits the list: the
        // deployer cannot put the old list back, and the new container stays listed
        com.sun.net.httpserver.HttpServer proxy = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicBoolean edited = new java.util.concurrent.atomic.AtomicBoolean();
        proxy.createContext("/", exchange -> {
            if (edited.compareAndSet(false, true)) {
                H.redis.sync().rpush("frontend:app.test", "http://10.9.9.9:80");
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        proxy.start();
        try {
            DockerHarness.Run run = H.deploy(H.images.v2(), "app.test", "--proxy-url",
                    "http://127.0.0.1:" + proxy.getAddress().getPort(), "--confirm-deadline", "2s");

            assertEquals(ExitCode.NOT_CONFIRMED, run.exit(), run.all());
            assertTrue(edited.get(), "the proxy was asked");
            List<String> live = H.list("app.test");
            Container v2 = H.containers().stream().filter(c -> "v2".equals(c.getLabels().get(Labels.VERSION)))
                    .findFirst().orElseThrow(() -> new AssertionError("the listed v2 container was removed: " + live));
            assertEquals("running", v2.getState());
            assertTrue(live.contains("http://127.0.0.1:" + v2.getPorts()[0].getPublicPort()), live.toString());
            assertTrue(run.err().contains("left running"), run.err());
            assertEquals(1, run.err().split("did not route", -1).length - 1, "the reason once: " + run.err());
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void exitingImageIsRemovedWithItsLastLogLines() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        List<String> before = H.list("app.test");

        DockerHarness.Run run = H.deploy(H.images.crash(), "app.test", "--webhook", hook);

        assertEquals(ExitCode.DEPLOY_FAILED, run.exit(), run.all());
        assertEquals(before, H.list("app.test"));
        assertEquals(1, H.containers().size());
        assertTrue(run.err().contains("exited with code 3"), run.err());
        assertTrue(run.err().contains("| fatal: DATABASE_URL is not set"), run.err());
        assertFailureHook("crash", "exited with code 3");
    }

    @Test
    void missingImageFailsClearlyBeforeAnyContainer() throws Exception {
        String missing = H.images.repo + ":does-not-exist";

        DockerHarness.Run run = H.deploy(missing, "app.test", "--webhook", hook);

        assertEquals(ExitCode.IMAGE_UNAVAILABLE, run.exit(), run.all());
        assertTrue(run.err().contains("image " + missing + " is not present on this host and cannot be pulled"), run.err());
        assertEquals(List.of(), H.containers());
        assertEquals(List.of(), H.list("app.test"));
        assertFailureHook("does-not-exist", "cannot be pulled");
    }

    @Test
    void imageWithoutExposedPortNeedsPort() {
        DockerHarness.Run run = H.deploy(H.images.noPort(), "app.test");
        assertEquals(ExitCode.USAGE, run.exit(), run.all());
        assertTrue(run.err().contains("exposes no TCP port: give --port"), run.err());
        assertEquals(List.of(), H.containers());

        assertEquals(0, H.deploy(H.images.noPort(), "app.test", "--port", "8080").exit());
    }

    @Test
    void secondDeployOfTheSameFrontendFailsAtOnceNamingTheHolder() throws Exception {
        try (DeployLock held = DeployLock.acquire(H.redis.sync(), RoutingKeys.unprefixed(), "app.test",
                "deploy web:v7 by carol@ci", Duration.ofSeconds(30))) {
            assertTrue(held.isHeld());
            long start = System.nanoTime();
            DockerHarness.Run run = H.deploy(H.images.v1(), "app.test");
            assertEquals(ExitCode.LOCK_HELD, run.exit(), run.all());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
            assertTrue(run.err().contains("held by deploy web:v7 by carol@ci"), run.err());
            assertEquals(List.of(), H.containers());
            // another frontend is not blocked
            assertEquals(0, H.deploy(H.images.v1(), "other.test").exit());
        }
    }

    @Test
    void failingWebhookNeverFailsAGoodDeployAndIsRetried() {
        HOOKS.stubFor(post("/flaky").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        HOOKS.stubFor(post("/flaky").inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(200)));
        HOOKS.stubFor(post("/down").willReturn(aResponse().withStatus(503)));

        DockerHarness.Run run = H.deploy(H.images.v1(), "app.test", "--success-webhook", HOOKS.baseUrl() + "/flaky",
                "--success-webhook", HOOKS.baseUrl() + "/down", "--webhook-backoff", "50ms");

        assertEquals(0, run.exit(), run.all());
        HOOKS.verify(2, postRequestedFor(urlEqualTo("/flaky")));
        HOOKS.verify(3, postRequestedFor(urlEqualTo("/down")));
        assertTrue(run.err().contains("webhook " + HOOKS.baseUrl() + "/down failed after 3 attempt(s)"), run.err());
    }

    @Test
    void unreachableRedisFailsBeforeTouchingDocker() {
        int port = dev.portier.common.testing.FreePort.find();
        StringBuilderRun r = StringBuilderRun.of("--redis", "redis://127.0.0.1:" + port, "--app", H.app,
                "deploy", "--image", H.images.v1(), "--frontend", "app.test");
        assertEquals(ExitCode.REDIS_UNAVAILABLE, r.exit(), r.err());
        assertTrue(r.err().contains("Redis is unreachable at redis://127.0.0.1:" + port), r.err());
        assertEquals(List.of(), H.containers());
    }

    @Test
    void unreachableDockerFailsWithItsOwnCode() {
        DockerHarness.Run run = H.cli("--docker-host", "tcp://127.0.0.1:" + dev.portier.common.testing.FreePort.find(),
                "deploy", "--image", H.images.v1(), "--frontend", "app.test");
        assertEquals(ExitCode.DOCKER_UNAVAILABLE, run.exit(), run.all());
        assertTrue(run.err().contains("Docker is unreachable"), run.err());
    }

    @Test
    void aHandMadeListWithoutIdentifierGetsTheDefaultOneWithAWarning() {
        H.redis.sync().rpush("frontend:app.test", "http://10.9.9.9:80");

        DockerHarness.Run run = H.deploy(H.images.v1(), "app.test");

        assertEquals(0, run.exit(), run.all());
        assertEquals("default", H.list("app.test").get(0), H.list("app.test").toString());
        assertTrue(run.err().contains("began with a backend URL, not an identifier"), run.err());
    }

    @Test
    void aTakenHostPortIsTriedAgainOnAnotherPortNotBlamedOnTheContainer() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        int last = H.containers("v1").get(0).getPorts()[0].getPublicPort();
        // Docker hands out host ports in order and tries ten before it gives up: hold the next 300
        List<java.net.ServerSocket> held = new java.util.ArrayList<>();
        try {
            for (int port = last + 1; port <= last + 300; port++) {
                try {
                    java.net.ServerSocket s = new java.net.ServerSocket();
                    s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                    held.add(s);
                } catch (java.io.IOException inUse) {
                    // someone else's already: just as taken
                }
            }

            DockerHarness.Run run = H.deploy(H.images.v2(), "app.test");

            assertEquals(0, run.exit(), run.all());
            assertTrue(run.err().contains("address already in use"), "the port was taken: " + run.all());
            assertTrue(run.err().contains("trying again on free port"), run.err());
            assertEquals(1, H.containers("v2").size());
            assertEquals("http://127.0.0.1:" + H.containers("v2").get(0).getPorts()[0].getPublicPort(), H.list("app.test").get(1));
        } finally {
            for (java.net.ServerSocket s : held) {
                s.close();
            }
        }
    }

    private void assertFailureHook(String version, String errorPart) throws Exception {
        var requests = HOOKS.findAll(postRequestedFor(urlEqualTo("/hook")));
        assertEquals(1, requests.size());
        JsonNode body = new ObjectMapper().readTree(requests.get(0).getBodyAsString());
        assertEquals("failure", body.get("status").asText());
        assertEquals(version, body.get("version").asText());
        assertTrue(body.get("error").asText().contains(errorPart), body.toString());
        assertEquals("app.test", body.get("frontend").asText());
    }

    /** A CLI run without the harness' --redis, for connection failures. */
    record StringBuilderRun(int exit, String out, String err) {
        static StringBuilderRun of(String... args) {
            var out = new java.io.StringWriter();
            var err = new java.io.StringWriter();
            int code = PortierDeployer.commandLine(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true)).execute(args);
            return new StringBuilderRun(code, out.toString(), err.toString());
        }
    }
}
