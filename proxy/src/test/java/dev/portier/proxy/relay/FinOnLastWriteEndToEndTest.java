package dev.portier.proxy.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.testing.RawClient;
import dev.portier.proxy.testing.RawHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On the wire (tcpdump on loopback): the answer to a client that closes after it, proxied or the
 * proxy's own, leaves in the same packet as the proxy's FIN, on both Linux transports.
 */
class FinOnLastWriteEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private static final Pattern FIN_LINE = Pattern.compile("Flags \\[([A-Z.]+)\\].* length (\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void theLastBytesCarryTheFin(String transport) throws Exception {
        try (ProxyHarness h = ProxyHarness.start(redis, s -> s.with("listeners.transport", transport))) {
            RawBackend b = h.track(RawBackend.http(RawBackend.text("the whole answer")));
            h.route("t.test", "t", b.url());
            List<String> fins = new CopyOnWriteArrayList<>();
            List<String> errors = new CopyOnWriteArrayList<>();
            // segments from the proxy's port with FIN set
            Process dump = new ProcessBuilder("tcpdump", "-i", "lo", "-n", "-l", "-U",
                    "tcp src port " + h.port() + " and tcp[tcpflags] & tcp-fin != 0").start();
            try {
                Thread out = lines(dump.getInputStream(), fins);
                Thread err = lines(dump.getErrorStream(), errors);
                await().atMost(Duration.ofSeconds(10)).until(() -> errors.stream().anyMatch(l -> l.contains("listening on"))
                        || !dump.isAlive());
                assertTrue(dump.isAlive(), "tcpdump did not start: " + errors);

                for (int i = 0; i < 3; i++) {
                    try (RawClient c = new RawClient(h.port())) {
                        RawHttp.Message m = c.send("GET /" + i + " HTTP/1.1\r\nHost: t.test\r\nConnection: close\r\n\r\n").read();
                        assertEquals("the whole answer", m.bodyText());
                        assertTrue(c.closedByPeer());
                    }
                }

                // a local answer too (no route for the host)
                try (RawClient c = new RawClient(h.port())) {
                    RawHttp.Message m = c.send("GET / HTTP/1.1\r\nHost: nowhere.test\r\nConnection: close\r\n\r\n").read();
                    assertEquals(400, m.status(), "no frontend matches: the error page");
                    assertTrue(c.closedByPeer());
                }

                await().atMost(Duration.ofSeconds(10)).until(() -> fins.size() >= 4);
                for (String line : fins) {
                    Matcher f = FIN_LINE.matcher(line);
                    assertTrue(f.find(), line);
                    assertTrue(f.group(1).contains("P") && Integer.parseInt(f.group(2)) > 0,
                            "a FIN of its own, not with the answer's last bytes: " + line);
                }
                out.interrupt();
                err.interrupt();
            } finally {
                dump.destroyForcibly().waitFor();
            }
        }
    }

    private static Thread lines(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (java.io.IOException e) {
                // tcpdump ended
            }
        }, "tcpdump-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
