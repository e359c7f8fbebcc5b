package dev.portier.proxy.relay;

import dev.portier.proxy.testing.RawBackend;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend of {@link ExchangeFuzzTest}: reads each request the proxy sends, strictly (what a
 * proxy sends must be well-formed), notes its token, and answers as the current script says.
 */
final class ScriptedBackend implements RawBackend.ConnectionHandler {

    /** A request as the backend got it: its iteration and index (from its token), or -1, -1. */
    record Seen(int iteration, int index, String firstLine) {
    }

    private static final Pattern TOKEN = Pattern.compile("~(\\d+)-(\\d+)~");

    private record Current(int iteration, List<BackendAnswer> answers) {
    }

    private volatile Current current = new Current(-1, List.of());
    final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    /** What the proxy sent that no HTTP/1.1 server should get. */
    final Queue<String> malformed = new ConcurrentLinkedQueue<>();

    void script(int iteration, List<BackendAnswer> answers) {
        current = new Current(iteration, answers);
    }

    @Override
    public void handle(Socket socket, InputStream in, OutputStream out, RawBackend backend) throws Exception {
        try {
            while (serve(in, out)) {
                // next request on this connection
            }
        } catch (EOFException e) {
            // the proxy closed, maybe mid-request: allowed (it aborts what it cannot finish)
        } catch (Malformed e) {
            malformed.add(e.getMessage());
        }
    }

    private boolean serve(InputStream in, OutputStream out) throws IOException, Malformed {
        String first = line(in, true);
        if (first == null) {
            return false;
        }
        String[] parts = first.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !(parts[1].startsWith("/") || parts[1].equals("*")) || !parts[2].matches("HTTP/1\\.[01]")) {
            throw new Malformed("request line: " + first);
        }
        long length = 0;
        boolean chunked = false;
        boolean expect = false;
        for (String h; !(h = line(in, false)).isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon <= 0 || !h.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new Malformed("header line: " + h);
            }
            String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    if (!value.matches("[0-9]{1,15}") || length != 0) {
                        throw new Malformed("content-length: " + value);
                    }
                    length = Long.parseLong(value);
                }
                case "transfer-encoding" -> {
                    if (!value.equalsIgnoreCase("chunked")) {
                        throw new Malformed("transfer-encoding: " + value);
                    }
                    chunked = true;
                }
                case "expect" -> expect = value.equalsIgnoreCase("100-continue");
                default -> {
                }
            }
        }
        if (chunked && length != 0) {
            throw new Malformed("both Content-Length and chunked");
        }
        Matcher m = TOKEN.matcher(parts[1]);
        Current c = current;
        BackendAnswer answer = BackendAnswer.plain();
        String token = "";
        if (m.find()) {
            token = m.group();
            int iteration = Integer.parseInt(m.group(1));
            int index = Integer.parseInt(m.group(2));
            seen.add(new Seen(iteration, index, first));
            if (iteration == c.iteration() && index < c.answers().size()) {
                answer = c.answers().get(index);
            }
        } else {
            seen.add(new Seen(-1, -1, first));
        }
        if (expect) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        if (chunked) {
            while (true) {
                String size = line(in, false);
                if (!size.matches("[0-9a-fA-F]{1,8}")) {
                    throw new Malformed("chunk size line: " + size);
                }
                long n = Long.parseLong(size, 16);
                if (n == 0) {
                    while (!line(in, false).isEmpty()) {
                        // trailer fields
                    }
                    break;
                }
                skip(in, n);
                if (!line(in, false).isEmpty()) {
                    throw new Malformed("no CRLF after a chunk");
                }
            }
        } else {
            skip(in, length);
        }
        return answer.write(out, parts[0], token);
    }

    private static void skip(InputStream in, long n) throws IOException {
        // skipNBytes throws EOFException when the stream ends first
        in.skipNBytes(n);
    }

    /** A CRLF-ended line; null at EOF before its first byte when {@code eofOk}. */
    private static String line(InputStream in, boolean eofOk) throws IOException, Malformed {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                if (eofOk && b.size() == 0) {
                    return null;
                }
                throw new EOFException();
            }
            b.write(c);
            if (b.size() > 70_000) {
                throw new Malformed("line longer than 70000 bytes");
            }
        }
        byte[] bytes = b.toByteArray();
        if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
            throw new Malformed("line without CR before LF: " + new String(bytes, StandardCharsets.ISO_8859_1));
        }
        for (int i = 0; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' || bytes[i] == 0) {
                throw new Malformed("CR or NUL inside a line: " + new String(bytes, StandardCharsets.ISO_8859_1));
            }
        }
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
    }

    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }
}
