package dev.portier.proxy.relay;

import static dev.portier.proxy.relay.ExchangeScript.bytes;
import static dev.portier.proxy.relay.ExchangeScript.latin1;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * How the scripted backend answers one request of an {@link ExchangeScript}: well, or in one of
 * the ways backends go wrong. A good answer echoes the request's token in X-Tok and as its body;
 * bytes a client must never get carry the marker {@code ~<token>-x~} instead.
 */
record BackendAnswer(Kind kind, byte[] fuzzed, int cut, boolean closeAfter) {

    /** The answers (values past the last one: {@link #LENGTH}). */
    enum Kind {
        LENGTH, CHUNKED, UNTIL_CLOSE, INTERIM, BYTES_AFTER, BODY_TO_HEAD, SHORT_BODY, LONG_BODY, BAD_CHUNK,
        EARLY_CLOSE, SILENCE, RAW, NO_BODY_STATUS_WITH_BODY, LENGTH_AND_CHUNKED, SWITCHING, TWO_LENGTHS
    }

    static BackendAnswer from(FuzzChoices c, String p) {
        int k = c.pick(p + "kind", 24);
        Kind kind = k < Kind.values().length ? Kind.values()[k] : Kind.LENGTH;
        boolean fuzzed = switch (kind) {
            case BYTES_AFTER, BAD_CHUNK, RAW, EARLY_CLOSE, LONG_BODY -> true;
            default -> false;
        };
        byte[] bytes = fuzzed ? ExchangeScript.sanitize(c.bytes(p + "bytes", 64)) : new byte[0];
        int cut = kind == Kind.EARLY_CLOSE || kind == Kind.SHORT_BODY ? c.pick(p + "cut", 256) : 0;
        boolean closeAfter = c.pick(p + "closeAfter", 4) == 1;
        return new BackendAnswer(kind, bytes, cut, closeAfter);
    }

    static BackendAnswer plain() {
        return new BackendAnswer(Kind.LENGTH, new byte[0], 0, false);
    }

    /**
     * Writes the answer to a request with this method and token ("" when it had none); returns
     * whether the backend goes on reading requests on this connection.
     */
    boolean write(OutputStream out, String method, String token) throws IOException {
        boolean head = method.equals("HEAD");
        String body = token.isEmpty() ? "ok" : token;
        String x = "~" + (token.isEmpty() ? "none" : token.substring(1, token.length() - 1)) + "-x~";
        String tok = token.isEmpty() ? "" : "X-Tok: " + token + "\r\n";
        String valid = "HTTP/1.1 200 OK\r\n" + tok + "Content-Length: " + body.length() + "\r\n\r\n" + (head ? "" : body);
        String injected = "HTTP/1.1 200 OK\r\nSet-Cookie: injected=by-previous-response\r\nX-Tok: " + x + "\r\nX-Pad: ";
        boolean keep = !closeAfter;
        switch (kind) {
            case LENGTH -> send(out, valid);
            case CHUNKED -> send(out, "HTTP/1.1 200 OK\r\n" + tok + "Transfer-Encoding: chunked\r\n\r\n"
                    + (head ? "" : Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n"));
            case UNTIL_CLOSE -> {
                send(out, "HTTP/1.1 200 OK\r\n" + tok + "\r\n" + (head ? "" : body));
                keep = false;
            }
            case INTERIM -> send(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n" + valid);
            case BYTES_AFTER -> {
                out.write(bytes(valid + injected));
                out.write(fuzzed);
                out.flush();
            }
            case BODY_TO_HEAD -> {
                // a HEAD's answer with the body it must not have: the start of another response
                String b = head ? injected : body;
                send(out, "HTTP/1.1 200 OK\r\n" + tok + "Content-Length: " + b.length() + "\r\n\r\n" + b);
            }
            case SHORT_BODY -> {
                send(out, "HTTP/1.1 200 OK\r\n" + tok + "Content-Length: " + (body.length() + 1 + cut) + "\r\n\r\n"
                        + (head ? "" : body));
                keep = head && keep;
            }
            case LONG_BODY -> {
                out.write(bytes("HTTP/1.1 200 OK\r\n" + tok + "Content-Length: " + body.length() + "\r\n\r\n"
                        + (head ? "" : body) + x));
                out.write(fuzzed);
                out.flush();
            }
            case BAD_CHUNK -> {
                out.write(bytes("HTTP/1.1 200 OK\r\n" + tok + "Transfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n"));
                out.write(fuzzed.length == 0 ? bytes("zz\r\n" + x + "\r\n0\r\n\r\n") : fuzzed);
                out.flush();
            }
            case EARLY_CLOSE -> {
                byte[] all = bytes(valid);
                out.write(Arrays.copyOf(all, cut % all.length));
                out.flush();
                keep = false;
            }
            case SILENCE -> {
                // nothing: the proxy's backend timeout ends the exchange
            }
            case RAW -> send(out, "HTTP/1.1 200 OK\r\n" + tok + latin1(fuzzed));
            case NO_BODY_STATUS_WITH_BODY -> send(out, "HTTP/1.1 " + (cut % 2 == 0 ? "204 No Content" : "304 Not Modified")
                    + "\r\n" + tok + "Content-Length: " + injected.length() + "\r\n\r\n" + injected);
            case LENGTH_AND_CHUNKED -> send(out, "HTTP/1.1 200 OK\r\n" + tok + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + (head ? "" : Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n"));
            case SWITCHING -> {
                // a 101 to a request that asked for no upgrade, then bytes a tunnel would carry
                send(out, "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n" + injected);
            }
            case TWO_LENGTHS -> send(out, "HTTP/1.1 200 OK\r\n" + tok + "Content-Length: " + body.length()
                    + "\r\nContent-Length: " + (body.length() + 2) + "\r\n\r\n" + (head ? "" : body) + x);
        }
        return keep;
    }

    private static void send(OutputStream out, String s) throws IOException {
        out.write(bytes(s));
        out.flush();
    }
}
