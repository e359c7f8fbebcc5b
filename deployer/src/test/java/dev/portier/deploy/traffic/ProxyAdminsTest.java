package dev.portier.deploy.traffic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two proxies' admin listeners (real HTTP servers answering the contract's JSON) and one that is down. */
class ProxyAdminsTest {

    @RegisterExtension
    static final WireMockExtension A = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static final WireMockExtension B = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static String doc(String frontend, String backend, long requests, long errors, double p99) {
        return """
                {"windowSeconds":30,"frontends":{"%s":{"backends":{"%s":
                  {"requests":%d,"errors5xx":%d,"p50Ms":1.0,"p99Ms":%s,"canary":false}}}}}
                """.formatted(frontend, backend, requests, errors, p99);
    }

    @Test
    void figuresAreSummedOverTheProxiesWithTheWorstP99AndAFailingProxyIsNamed() {
        A.stubFor(get(urlEqualTo("/backends?window=30")).willReturn(aResponse().withBody(doc("a.test", "http://10.0.0.1:80", 100, 2, 12.5))));
        B.stubFor(get(urlEqualTo("/backends?window=30")).willReturn(aResponse().withBody(doc("a.test", "http://10.0.0.1:80", 50, 1, 40))));
        ProxyAdmins admins = new ProxyAdmins(List.of(URI.create(A.baseUrl()), URI.create(B.baseUrl() + "/"),
                URI.create("http://127.0.0.1:1")));

        TrafficSnapshot s = admins.read("a.test", 30);

        assertEquals(new BackendFigures(150, 3, 40), s.of("http://10.0.0.1:80"));
        assertEquals(BackendFigures.NONE, s.of("http://10.0.0.2:80"));
        assertEquals(2, s.answered());
        assertEquals(1, s.failures().size());
        assertTrue(s.failures().get(0).startsWith("http://127.0.0.1:1"), s.failures().toString());
        assertEquals(BackendFigures.NONE, admins.read("other.test", 30).of("http://10.0.0.1:80"), "another frontend's figures");
    }

    @Test
    void anAnswerThatIsNotTheBackendsViewIsAFailure() {
        A.stubFor(get(urlEqualTo("/backends?window=5")).willReturn(aResponse().withBody("<html>status page</html>")));
        B.stubFor(get(urlEqualTo("/backends?window=5")).willReturn(aResponse().withStatus(404)));
        TrafficSnapshot s = new ProxyAdmins(List.of(URI.create(A.baseUrl()), URI.create(B.baseUrl()))).read("a.test", 5);
        assertEquals(0, s.answered());
        assertTrue(s.failures().get(0).contains("not the /backends JSON"), s.failures().toString());
        assertTrue(s.failures().get(1).contains("HTTP 404"), s.failures().toString());
    }

    @Test
    void windowsAreWholeSecondsWithinTheRetention() {
        assertEquals(1, ProxyAdmins.windowCovering(Duration.ZERO));
        assertEquals(2, ProxyAdmins.windowCovering(Duration.ofMillis(1001)));
        assertEquals(300, ProxyAdmins.windowCovering(Duration.ofMinutes(5)));
        assertEquals(ProxyAdmins.MAX_WINDOW_SECONDS, ProxyAdmins.windowCovering(Duration.ofHours(1)));
    }

    @Test
    void sumsKeepTheWorstP99OfThePartsThatHadRequests() {
        BackendFigures a = new BackendFigures(10, 1, 30);
        assertEquals(new BackendFigures(10, 1, 30), a.plus(new BackendFigures(0, 0, 900)));
        assertEquals(new BackendFigures(15, 1, 45), a.plus(new BackendFigures(5, 0, 45)));
        assertEquals(0.1, a.errorShare(), 1e-9);
        assertEquals(0, BackendFigures.NONE.errorShare());
    }
}
