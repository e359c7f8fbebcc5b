package dev.portier.proxy.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.config.TlsCertificate;
import dev.portier.proxy.testing.ProxyHarness;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class HttpsEndToEndTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private ProxyHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** A self-signed certificate for {@code cn} made by openssl, as an operator would. */
    private static void certificate(Path cert, Path key, String cn) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn,
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed: " + out);
    }

    /** What a TLS client sees: the certificate's CN, the protocol, and the response's first line and body. */
    private record Seen(String cn, String protocol, String response) {
    }

    private Seen get(String sni, String host) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the test checks which certificate was served, not who signed it
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", h.proxy().port(1))) {
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(sni)));
            s.setSSLParameters(params);
            s.startHandshake();
            String cn = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return new Seen(cn, s.getSession().getProtocol(), all.toString(StandardCharsets.US_ASCII));
        }
    }

    private WireMockServer backend() {
        WireMockServer wm = h.wiremock();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("secure hello")));
        return wm;
    }

    private void start(Path dir) throws Exception {
        certificate(dir.resolve("default.pem"), dir.resolve("default.key"), "default.test");
        certificate(dir.resolve("a.pem"), dir.resolve("a.key"), "a.test");
        h = ProxyHarness.start(redis, s -> s
                .with("tls.listen", List.of(new InetSocketAddress("127.0.0.1", 0)))
                .with("tls.certificates", List.of(
                        new TlsCertificate(dir.resolve("default.pem"), dir.resolve("default.key"), null, List.of()),
                        new TlsCertificate(dir.resolve("a.pem"), dir.resolve("a.key"), null, List.of("a.test", "*.a.test")))));
    }

    @Test
    void requestsOverTlsAreProxiedWithForwardedProtoHttps(@TempDir Path dir) throws Exception {
        start(dir);
        WireMockServer wm = backend();
        h.route("a.test", "app", ProxyHarness.url(wm));

        Seen seen = get("a.test", "a.test");
        assertTrue(seen.response().startsWith("HTTP/1.1 200"), seen.response());
        assertTrue(seen.response().contains("secure hello"), seen.response());
        assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(seen.protocol()), seen.protocol());
        wm.verify(anyRequestedFor(anyUrl()).withHeader("X-Forwarded-Proto", equalTo("https"))
                .withHeader("X-Forwarded-Port", equalTo(String.valueOf(h.proxy().port(1)))));
    }

    @Test
    void sniPicksTheCertificateForTheNameAndTheDefaultOtherwise(@TempDir Path dir) throws Exception {
        start(dir);
        WireMockServer wm = backend();
        h.route("*", "app", ProxyHarness.url(wm));

        assertEquals("CN=a.test", get("a.test", "a.test").cn());
        assertEquals("CN=a.test", get("www.a.test", "www.a.test").cn(), "wildcard host of a certificate");
        assertEquals("CN=default.test", get("other.test", "other.test").cn());
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart(@TempDir Path dir) throws Exception {
        start(dir);
        WireMockServer wm = backend();
        h.route("*", "app", ProxyHarness.url(wm));
        assertEquals("CN=a.test", get("a.test", "a.test").cn());

        Path fresh = Files.createDirectory(dir.resolve("renewed"));
        certificate(fresh.resolve("a.pem"), fresh.resolve("a.key"), "renewed.a.test");
        Files.copy(fresh.resolve("a.key"), dir.resolve("a.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(fresh.resolve("a.pem"), dir.resolve("a.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        await().atMost(Duration.ofSeconds(20)).until(() -> get("a.test", "a.test").cn().equals("CN=renewed.a.test"));
    }
}
