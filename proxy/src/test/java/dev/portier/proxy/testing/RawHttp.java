package dev.portier.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Byte-level HTTP/1.1 reading for raw test clients and backends: what a wire sees, nothing more. */
public final class RawHttp {

    /** Bodies up to this size are kept in {@link Message#body()}; larger ones are only hashed and counted. */
    public static final int KEEP_LIMIT = 1 << 20;

    private RawHttp() {
    }

    /**
     * A request or response as read from the wire: first line, headers (names lower-cased), body
     * length and SHA-256, and the body itself when small.
     */
    public record Message(String firstLine, Map<String, List<String>> headers, long bodyLength, String sha256, byte[] body) {

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }

        public boolean has(String name) {
            return headers.containsKey(name.toLowerCase(Locale.ROOT));
        }

        public int status() {
            return Integer.parseInt(firstLine.split(" ")[1]);
        }

        public String method() {
            return firstLine.split(" ")[0];
        }

        public String uri() {
            return firstLine.split(" ")[1];
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads a head (first line + headers); null on a clean EOF before any byte. */
    public static Message readHead(InputStream in) throws IOException {
        String first = readLine(in, true);
        if (first == null) {
            return null;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in, false)).isEmpty()) {
            int c = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(c + 1).trim());
        }
        return new Message(first, headers, 0, sha256Of(new byte[0]), new byte[0]);
    }

    /** Reads the body framed as the head says; {@code untilClose} for a response with neither length nor chunks. */
    public static Message readBody(InputStream in, Message head, boolean noBody, boolean untilClose) throws IOException {
        if (noBody) {
            return head;
        }
        Sink sink = new Sink();
        String te = head.header("transfer-encoding");
        String cl = head.header("content-length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String size = readLine(in, false);
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (n == 0) {
                    while (!readLine(in, false).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                copy(in, sink, n);
                readLine(in, false);
            }
        } else if (cl != null) {
            copy(in, sink, Long.parseLong(cl.trim()));
        } else if (untilClose) {
            byte[] buf = new byte[65536];
            int r;
            while ((r = in.read(buf)) != -1) {
                sink.write(buf, 0, r);
            }
        }
        return new Message(head.firstLine(), head.headers(), sink.length, sink.hex(), sink.kept());
    }

    private static void copy(InputStream in, Sink sink, long n) throws IOException {
        byte[] buf = new byte[65536];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r == -1) {
                throw new EOFException("body ended " + n + " bytes early");
            }
            sink.write(buf, 0, r);
            n -= r;
        }
    }

    /** A CRLF-terminated line; with {@code eofOk}, null when the stream ends before its first byte. */
    public static String readLine(InputStream in, boolean eofOk) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                if (eofOk && b.length() == 0) {
                    return null;
                }
                throw new EOFException("stream ended in a line: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    public static String sha256Of(byte[] bytes) {
        Sink s = new Sink();
        s.write(bytes, 0, bytes.length);
        return s.hex();
    }

    public static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Deterministic, incompressible-looking bytes, so a hash comparison means something. */
    public static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static final class Sink {
        private final MessageDigest digest;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long length;

        public Sink() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
            if (length + len <= KEEP_LIMIT) {
                kept.write(b, off, len);
            }
            length += len;
        }

        public String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        public byte[] kept() {
            return kept.toByteArray();
        }
    }
}
