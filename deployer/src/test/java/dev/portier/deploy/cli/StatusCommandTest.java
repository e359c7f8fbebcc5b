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
}
