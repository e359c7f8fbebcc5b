package dev.portier.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.deploy.testing.DockerHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StatusCommandTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @Test
    void statusShowsListsDeadMarksAndContainersAsTableAndJson() throws Exception {
        assertEquals(0, H.deploy(H.images.v1(), "app.test").exit());
        assertEquals(0, H.deploy(H.images.v2(), "app.test").exit());
        H.redis.sync().rpush("frontend:manual.test", "hand-made", "http://10.1.1.1:80", "http://10.1.1.2:80");
        H.redis.sync().sadd("dead:manual.test", "1");

        DockerHarness.Run table = H.cli("status");
        assertEquals(0, table.exit(), table.all());
        String t = table.out();
        assertTrue(t.contains("FRONTEND app.test  (frontend:app.test)"), t);
        assertTrue(t.contains("FRONTEND manual.test"), t);
        assertTrue(t.contains("dead: [1]"), t);
        assertTrue(t.matches("(?s).*\\n  \\*\\s+" + H.app + "-v2-\\S+\\s+v2\\s+running\\s+healthy\\s+\\d+s\\s+http://127\\.0\\.0\\.1:\\d+.*"), t);
        assertTrue(t.matches("(?s).*\\n  \\s{4} " + H.app + "-v1-\\S+\\s+v1\\s+running\\s+healthy.*"), t);

        DockerHarness.Run json = H.cli("status", "--json");
        assertEquals(0, json.exit(), json.all());
        JsonNode root = new ObjectMapper().readTree(json.out());
        JsonNode app = null;
        JsonNode manual = null;
        for (JsonNode f : root.get("frontends")) {
            if (f.get("frontend").asText().equals("app.test")) {
                app = f;
            } else if (f.get("frontend").asText().equals("manual.test")) {
                manual = f;
            }
        }
        assertEquals("v2", app.get("liveVersion").asText());
        assertEquals("default", app.get("identifier").asText());
        assertEquals(2, app.get("containers").size());
        JsonNode first = app.get("containers").get(0);
        assertEquals("v2", first.get("version").asText());
        assertTrue(first.get("live").asBoolean());
        assertEquals("healthy", first.get("health").asText());
        assertEquals(app.get("backends").get(0).asText(), first.get("backend").asText());
        assertFalse(app.get("containers").get(1).get("live").asBoolean());
        assertEquals("[1]", manual.get("dead").toString());
        assertEquals(2, manual.get("backends").size());
        assertTrue(manual.get("containers").isEmpty());
    }

    @Test
    void statusShowsCanaryMaintenancePauseAndTheRolledBackVersion() throws Exception {
        H.redis.sync().rpush("frontend:m.test", "site", "http://10.1.1.1:80");
        assertEquals(0, H.cli("maintenance", "--frontend", "m.test", "--retry-after", "90").exit());
        assertEquals(0, H.cli("pause", "--frontend", "m.test").exit());
        H.redis.sync().hset("canary:m.test", java.util.Map.of("backend", "http://10.1.1.2:80", "percent", "20"));
        H.redis.sync().set("rolledback:m.test", "v7");

        DockerHarness.Run table = H.cli("status", "--frontend", "m.test");
        assertTrue(table.out().contains("canary: http://10.1.1.2:80 20 %   maintenance: on {retryAfter=90, since="), table.out());
        assertTrue(table.out().contains("rolled back: v7"), table.out());
        JsonNode modes = new ObjectMapper().readTree(H.cli("status", "--json", "--frontend", "m.test").out())
                .get("frontends").get(0).get("modes");
        assertEquals(20, modes.get("canary").get("percent").asInt());
        assertEquals("90", modes.get("maintenance").get("retryAfter").asText());
        assertTrue(modes.get("pause").has("since"), modes.toString());
        assertEquals("v7", modes.get("rolledBack").asText());

        assertEquals(0, H.cli("live", "--frontend", "m.test").exit());
        assertEquals(0, H.cli("resume", "--frontend", "m.test").exit());
        H.redis.sync().del("canary:m.test", "rolledback:m.test");
        assertFalse(H.cli("status", "--frontend", "m.test").out().contains("canary:"), "no line when all are off");
    }
}
