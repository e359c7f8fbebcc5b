package dev.portier.proxy.server;

import dev.portier.proxy.config.TlsCertificate;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS certificates: SNI name → SslContext, the first certificate for unknown names. The
 * files are checked every few seconds off the event loops; when one changes the whole mapping is
 * rebuilt and swapped in, so new handshakes use it without a restart (a bad new file keeps the old).
 */
public final class TlsContexts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    /** TLS 1.2 and 1.3 only; ciphers are the provider's modern defaults for them. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final List<TlsCertificate> certificates;
    private final ScheduledExecutorService watcher;
    private volatile Mapping<String, SslContext> mapping;
    private volatile List<FileTime> stamps;

    public TlsContexts(List<TlsCertificate> certificates, long checkEveryMillis) {
        this.certificates = certificates;
        try {
            this.mapping = build();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot load the HTTPS certificates: " + e.getMessage(), e);
        }
        this.stamps = stamps();
        LOG.info("HTTPS: {} certificate(s), {} engine", certificates.size(), provider());
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portier-tls-reload");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, checkEveryMillis, checkEveryMillis, TimeUnit.MILLISECONDS);
    }

    /** The current SNI mapping (read per handshake). */
    public Mapping<String, SslContext> mapping() {
        return hostname -> mapping.map(hostname);
    }

    private static SslProvider provider() {
        // BoringSSL through netty-tcnative when it is on the class path, else the JDK's engine
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private Mapping<String, SslContext> build() throws IOException {
        List<SslContext> contexts = new ArrayList<>();
        for (TlsCertificate c : certificates) {
            contexts.add(context(c));
        }
        DomainWildcardMappingBuilder<SslContext> b = new DomainWildcardMappingBuilder<>(contexts.get(0));
        for (int i = 0; i < certificates.size(); i++) {
            for (String host : certificates.get(i).hosts()) {
                b.add(host, contexts.get(i));
            }
        }
        return b.build();
    }

    private static SslContext context(TlsCertificate c) throws SSLException {
        try {
            return SslContextBuilder.forServer(c.cert().toFile(), c.key().toFile(), c.passphrase())
                    .sslProvider(provider()).protocols(PROTOCOLS).build();
        } catch (IllegalArgumentException e) {
            throw new SSLException(c.cert() + ": " + e.getMessage(), e);
        }
    }

    private List<FileTime> stamps() {
        List<FileTime> out = new ArrayList<>();
        for (TlsCertificate c : certificates) {
            for (var f : List.of(c.cert(), c.key())) {
                try {
                    out.add(Files.getLastModifiedTime(f));
                } catch (IOException e) {
                    out.add(FileTime.fromMillis(0));
                }
            }
        }
        return out;
    }

    void reloadIfChanged() {
        List<FileTime> now = stamps();
        if (now.equals(stamps)) {
            return;
        }
        try {
            mapping = build();
            stamps = now;
            LOG.info("HTTPS certificates reloaded");
        } catch (IOException | RuntimeException e) {
            // a half-written file: keep serving the old certificates and try again next time
            LOG.warn("HTTPS certificates changed but cannot be loaded ({}); keeping the previous ones", e.getMessage());
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
