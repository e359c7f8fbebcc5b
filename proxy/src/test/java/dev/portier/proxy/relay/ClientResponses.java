package dev.portier.proxy.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client got from the proxy, read as HTTP/1.1 responses in order: each final response with
 * its status and the token markers in it, interim ones folded into the next. A response cut short
 * by the end of the connection counts (the proxy may abort one); bytes no HTTP/1.1 client could
 * read are reported as {@link #malformed}.
 */
final class ClientResponses {

    /** One final response: status, markers found anywhere in it (and its interim responses), whether cut short. */
    record Response(int status, List<String> markers, boolean cut, String head) {
    }

    private static final Pattern MARKER = Pattern.compile("~[^~\\s]{1,40}~");

    final List<Response> responses = new ArrayList<>();
    /** Why the bytes stopped being HTTP, or null. */
    String malformed;
    /** The bytes end inside a response (only allowed when the connection closed). */
    boolean partial;
    /** A 101 came: what follows is no longer HTTP. */
    boolean switched;

    private final String s;
    private int at;

    /**
     * @param headSlot whether final response {@code i} answers a HEAD request (no body)
     * @param eof      the proxy closed the connection after these bytes
     */
    ClientResponses(byte[] bytes, IntPredicate headSlot, boolean eof) {
        this.s = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> interimMarkers = new ArrayList<>();
        while (at < s.length() && malformed == null) {
            int start = at;
            int end = s.indexOf("\r\n\r\n", at);
            if (end < 0) {
                partial = true;
                break;
            }
            String head = s.substring(at, end + 2);
            at = end + 4;
            String[] lines = head.split("\r\n");
            if (!lines[0].matches("HTTP/1\\.1 [1-5][0-9][0-9] .*|HTTP/1\\.1 [1-5][0-9][0-9]")) {
                malformed = "status line: " + lines[0];
                break;
            }
            int status = Integer.parseInt(lines[0].substring(9, 12));
            String length = null;
            String te = null;
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c <= 0 || lines[i].indexOf('\n') >= 0 || lines[i].indexOf('\r') >= 0) {
                    malformed = "header line: " + lines[i];
                    break;
                }
                String name = lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(c + 1).trim();
                if (name.equals("content-length")) {
                    if (length != null || !value.matches("[0-9]{1,15}")) {
                        malformed = "Content-Length: " + value;
                    }
                    length = value;
                } else if (name.equals("transfer-encoding")) {
                    te = value;
                }
            }
            if (malformed != null) {
                break;
            }
            if (status == 101) {
                switched = true;
                responses.add(new Response(status, markers(s.substring(start)), false, head));
                return;
            }
            if (status < 200) {
                interimMarkers.addAll(markers(head));
                continue;
            }
            boolean noBody = headSlot.test(responses.size()) || status == 204 || status == 304;
            boolean cut = false;
            if (!noBody) {
                if (te != null) {
                    if (length != null || !te.equalsIgnoreCase("chunked")) {
                        malformed = "Transfer-Encoding: " + te + (length != null ? " with a Content-Length" : "");
                        break;
                    }
                    cut = !chunks();
                } else if (length != null) {
                    long n = Long.parseLong(length);
                    cut = s.length() - at < n;
                    at = (int) Math.min(s.length(), at + n);
                } else if (eof) {
                    at = s.length();
                } else {
                    // read until the connection closes, and it has not yet
                    cut = true;
                    at = s.length();
                }
            }
            if (malformed != null) {
                break;
            }
            List<String> m = new ArrayList<>(interimMarkers);
            m.addAll(markers(s.substring(start, at)));
            interimMarkers.clear();
            responses.add(new Response(status, m, cut, head));
            if (cut) {
                partial = true;
                break;
            }
        }
        if (partial && !eof && malformed == null) {
            // more may come: not an error yet
            return;
        }
        if (partial && at < s.length() && malformed == null && responses.isEmpty() && !interimMarkers.isEmpty()) {
            responses.add(new Response(0, interimMarkers, true, ""));
        }
    }

    /** Reads a chunked body; false when the bytes end first. */
    private boolean chunks() {
        while (true) {
            int eol = s.indexOf("\r\n", at);
            if (eol < 0) {
                at = s.length();
                return false;
            }
            String size = s.substring(at, eol);
            if (!size.matches("[0-9a-fA-F]{1,8}(;.*)?")) {
                malformed = "chunk size line: " + size;
                return true;
            }
            long n = Long.parseLong(size.split(";")[0], 16);
            at = eol + 2;
            if (n == 0) {
                while (true) {
                    int t = s.indexOf("\r\n", at);
                    if (t < 0) {
                        at = s.length();
                        return false;
                    }
                    boolean empty = t == at;
                    at = t + 2;
                    if (empty) {
                        return true;
                    }
                }
            }
            if (s.length() - at < n + 2) {
                at = s.length();
                return false;
            }
            at += (int) n;
            if (!s.startsWith("\r\n", at)) {
                malformed = "no CRLF after a chunk";
                return true;
            }
            at += 2;
        }
    }

    /** Whether everything read so far is whole responses. */
    boolean whole() {
        return !partial && malformed == null;
    }

    static List<String> markers(String text) {
        List<String> m = new ArrayList<>();
        Matcher x = MARKER.matcher(text);
        while (x.find()) {
            m.add(x.group());
        }
        return m;
    }
}
