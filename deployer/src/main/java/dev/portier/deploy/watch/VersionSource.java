package dev.portier.deploy.watch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where watch mode reads the wanted version: a file's content or a URL's body, trimmed; empty means "nothing wanted yet". */
public interface VersionSource {

    /** The wanted version, or empty when the source holds none. */
    Optional<String> read() throws IOException;

    /** A short description for log lines. */
    String describe();

    /** A local file, e.g. written by CI through scp. */
    static VersionSource file(Path path) {
        return new VersionSource() {
            @Override
            public Optional<String> read() throws IOException {
                try {
                    return clean(Files.readString(path, StandardCharsets.UTF_8));
                } catch (NoSuchFileException e) {
                    return Optional.empty();
                }
            }

            @Override
            public String describe() {
                return path.toString();
            }
        };
    }

    /** A URL answering the version as its body (2xx only). */
    static VersionSource url(URI uri) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return new VersionSource() {
            @Override
            public Optional<String> read() throws IOException {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 != 2) {
                        throw new IOException(uri + " answered HTTP " + r.statusCode());
                    }
                    return clean(r.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }

            @Override
            public String describe() {
                return uri.toString();
            }
        };
    }

    private static Optional<String> clean(String s) {
        String v = s == null ? "" : s.strip();
        int nl = v.indexOf('\n');
        if (nl >= 0) {
            v = v.substring(0, nl).strip();
        }
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }
}
