package dev.portier.deploy.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portier.deploy.console.ExitCode;
import dev.portier.deploy.testing.DockerHarness;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The deploy history as deploy, rollback and a refused deploy write it, read back by `history` and `status`. */
class DeployHistoryTest {

    @RegisterExtension
    static final DockerHarness H = new DockerHarness();

    @Test
    void deployRollbackAndRefusalAreRecordedNewestFirst() throws Exception {
        long before = System.currentTimeMillis();
        assertEquals(0, H.deploy(H.images.v1(), "h.test").exit());
        assertEquals(0, H.deploy(H.images.v2(), "h.test").exit());
        assertEquals(ExitCode.DEPLOY_FAILED, H.deploy(H.images.sick(), "h.test", "--health-deadline", "1s").exit());
        assertEquals(0, H.cli("rollback", "--frontend", "h.test", "--health-interval", "200ms").exit());
        assertEquals(0, H.deploy(H.images.v1(), "other.test").exit());

        DockerHarness.Run json = H.cli("history", "--frontend", "h.test", "--json");
        assertEquals(0, json.exit(), json.all());
        JsonNode entries = new ObjectMapper().readTree(json.out());
        assertEquals(4, entries.size(), json.out());
        JsonNode rollback = entries.get(0);
        assertEquals("rollback", rollback.get("command").asText());
        assertEquals("success", rollback.get("outcome").asText());
        assertEquals("v1", rollback.get("version").asText());
        JsonNode refused = entries.get(1);
        assertEquals("deploy", refused.get("command").asText());
        assertEquals("refused", refused.get("outcome").asText());
        assertEquals(H.images.sick(), refused.get("image").asText());
        assertTrue(refused.get("detail").asText().contains("(exit 1)"), refused.toString());
        JsonNode v2 = entries.get(2);
        assertEquals("v2", v2.get("version").asText());
        assertEquals(H.images.v2(), v2.get("image").asText());
        assertTrue(v2.get("container").asText().startsWith(H.app + "-v2-"), v2.toString());
        assertTrue(v2.get("detail").asText().startsWith("live at http://127.0.0.1:"), v2.toString());
        assertEquals(H.app, v2.get("app").asText());
        assertEquals("h.test", v2.get("frontend").asText());
        assertTrue(v2.get("by").asText().matches("[^@]+@.+"), v2.toString());
        assertTrue(v2.get("durationMs").asLong() > 0);
        assertTrue(v2.get("at").asLong() >= before && v2.get("at").asLong() <= System.currentTimeMillis());
        assertEquals("v1", entries.get(3).get("version").asText());

        DockerHarness.Run all = H.cli("history", "--limit", "2");
        assertEquals(0, all.exit(), all.all());
        List<String> lines = all.out().lines().toList();
        assertEquals(3, lines.size(), all.out());
        assertTrue(lines.get(1).contains("other.test") && lines.get(1).contains("success"), all.out());
        assertTrue(lines.get(2).contains("h.test") && lines.get(2).contains("rollback"), all.out());

        DockerHarness.Run status = H.cli("status", "--frontend", "h.test");
        assertTrue(status.out().contains("RECENT DEPLOYS"), status.out());
        assertTrue(status.out().contains("refused"), status.out());
        assertTrue(!status.out().contains("other.test"), "status --frontend shows that frontend's deploys only");
        JsonNode statusJson = new ObjectMapper().readTree(H.cli("status", "--json").out());
        assertEquals("other.test", statusJson.get("recentDeploys").get(0).get("frontend").asText());
    }

    @Test
    void theListIsBoundedAndForeignEntriesAreSkipped() {
        DeployHistory history = new DeployHistory(H.redis.sync(), dev.portier.common.RoutingKeys.unprefixed());
        H.redis.sync().lpush("deploys", "not json");
        for (int i = 0; i < DeployHistory.KEPT + 5; i++) {
            history.record(new DeployRecord(i, "b.test", "a", "v" + i, null, null, "me@here", "deploy", "success", 1, null));
        }
        assertEquals(DeployHistory.KEPT, H.redis.sync().llen("deploys"));
        List<DeployRecord> recent = history.recent("b.test", 3);
        assertEquals(List.of("v1004", "v1003", "v1002"), recent.stream().map(DeployRecord::version).toList());
        assertNull(recent.get(0).image());
        H.redis.sync().lpush("deploys", "{\"garbled");
        assertEquals(1, history.recent(null, 1).size(), "an entry that is not JSON is skipped");
    }
}
