package dev.portier.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The status page's HTML, read from the jar once at start so requests never touch the disk. */
final class StatusPage {

    static final String RESOURCE = "/admin/status.html";

    private StatusPage() {
    }

    static byte[] load() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("status page " + RESOURCE + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
