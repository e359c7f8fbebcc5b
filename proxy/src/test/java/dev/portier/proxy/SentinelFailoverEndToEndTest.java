package dev.portier.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.portier.common.RedisDriverUrl;
import dev.portier.common.testing.RedisServer;
import dev.portier.common.testing.SentinelGroup;
import dev.portier.proxy.config.ProxySettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A proxy on a real Sentinel group, under continuous load, while the master is killed: no request
 * for a routed host fails, and a route written on the new master is routed soon after. Prints the
 * figures (bench/sentinel-failover.sh runs it with -Dportier.failovers=N).
 */
class SentinelFailoverEndToEndTest {

    private static final int CLIENTS = 4;

    @Test
    void killingTheMasterUnderLoadFailsNoRequestAndTheNewMasterIsFollowed() throws Exception {
        int failovers = Integer.getInteger("portier.failovers", 1);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            // closed last, after the proxy: a group gone first makes the proxy log its reconnect attempts
            SentinelGroup group = new SentinelGroup();
            open.add(group);
            group.start();
            WireMockServer blue = backend(open, "blue");
            WireMockServer green = backend(open, "green");
            ProxySettings settings = ProxySettings.defaults(new InetSocketAddress("127.0.0.1", 0),
                    RedisDriverUrl.parse(group.driverUrl())).with("listeners.workers", 2);
            ProxyServer proxy = ProxyServer.start(settings);
            open.add(proxy);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String target = "http://127.0.0.1:" + blue.port();
            group.master().command("RPUSH", "frontend:app.test", "app", target);
            await().atMost(Duration.ofSeconds(10)).until(() -> body(http, proxy, "app.test").equals("blue"));
            group.awaitReplicated(Duration.ofSeconds(10));

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            String b = body(http, proxy, "app.test");
                            if (b.equals("blue") || b.equals("green")) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(b);
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                t.start();
                load.add(t);
            }
            try {
                for (int round = 1; round <= failovers; round++) {
                    WireMockServer next = round % 2 == 1 ? green : blue;
                    long okBefore = ok.get();
                    long killedAt = System.nanoTime();
                    RedisServer killed = group.killMaster();
                    RedisServer master = group.awaitNewMaster(killed, Duration.ofSeconds(30));
                    long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
                    long written = System.nanoTime();
                    assertEquals("+OK", master.command("LSET", "frontend:app.test", "1", "http://127.0.0.1:" + next.port()));
                    String wanted = round % 2 == 1 ? "green" : "blue";
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                            .until(() -> body(http, proxy, "app.test").equals(wanted));
                    long switchMs = (System.nanoTime() - written) / 1_000_000;
                    System.out.printf("sentinel-failover round %d: failover %d ms (kill to sentinels agreeing), "
                                    + "write on the new master routed after %d ms, %d requests served meanwhile, %d failed%n",
                            round, failoverMs, switchMs, ok.get() - okBefore, failures.size());
                    if (round < failovers) {
                        group.rejoin(killed, Duration.ofSeconds(60));
                        group.awaitReplicated(Duration.ofSeconds(10));
                    }
                }
            } finally {
                running.set(false);
                for (Thread t : load) {
                    t.join();
                }
            }
            System.out.printf("sentinel-failover total: %d requests ok, %d failed%n", ok.get(), failures.size());
            assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(5, failures.size())), "failed requests");
            assertTrue(ok.get() > 0);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static WireMockServer backend(List<AutoCloseable> open, String name) {
        WireMockServer wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").port(0)
                .containerThreads(20).jettyAcceptors(1));
        wm.start();
        open.add(wm::stop);
        wm.stubFor(WireMock.get(WireMock.anyUrl()).willReturn(WireMock.ok(name)));
        return wm;
    }

    private static String body(HttpClient http, ProxyServer proxy, String host) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : r.statusCode() + " " + r.body();
    }
}
