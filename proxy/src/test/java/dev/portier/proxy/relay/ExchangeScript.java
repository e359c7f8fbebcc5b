package dev.portier.proxy.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One fuzz input of {@link ExchangeFuzzTest}: 1 to 4 pipelined requests (each maybe flawed), how
 * the client's bytes are split and whether it half-closes, and how the backend answers each.
 * Request {@code i} of iteration {@code k} carries the token {@code ~k-i~} in its path and in
 * X-Tok; fuzzed bytes never contain '~', so a token seen anywhere was put there on purpose.
 */
record ExchangeScript(int split, boolean halfClose, List<Request> requests, List<BackendAnswer> answers) {

    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

    /** How a request is made wrong, if at all (values past the last one: not at all). */
    enum Flaw {
        NONE, OVERWRITE, INSERT, TRUNCATE, CL_AND_TE, TWO_LENGTHS, BAD_FIRST_CHUNK, BAD_CHUNK_END,
        BAD_HEADER_VALUE, BARE_LF, OBS_FOLD, SPACE_BEFORE_COLON, TE_LIST, LENGTH_SHORT, LENGTH_LONG,
        TWO_HOSTS, BAD_METHOD, BAD_VERSION, UNKNOWN_HOST
    }

    /** One client request, as chosen. */
    record Request(int method, boolean http10, boolean absolute, int body, byte[] bodyBytes, int chunks,
                   boolean trailer, boolean expect, boolean close, Flaw flaw, byte[] flawBytes, int flawAt) {

        String methodName() {
            return METHODS[method];
        }
    }

    static ExchangeScript from(FuzzChoices c) {
        int split = c.pick("split", 256);
        boolean halfClose = c.pick("halfClose", 2) == 1;
        int n = 1 + c.pick("n", 4);
        List<Request> requests = new ArrayList<>();
        List<BackendAnswer> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(c, "r" + i + "."));
            answers.add(BackendAnswer.from(c, "a" + i + "."));
        }
        return new ExchangeScript(split, halfClose, requests, answers);
    }

    private static Request request(FuzzChoices c, String p) {
        int method = c.pick(p + "method", METHODS.length);
        boolean http10 = c.pick(p + "http10", 8) == 1;
        boolean absolute = c.pick(p + "absolute", 6) == 1;
        int body = c.pick(p + "body", 3); // 0 none, 1 Content-Length, 2 chunked
        byte[] bodyBytes = body == 0 ? new byte[0] : sanitize(c.bytes(p + "bodyBytes", 64));
        int chunks = body == 2 ? 1 + c.pick(p + "chunks", 3) : 1;
        boolean trailer = body == 2 && c.pick(p + "trailer", 4) == 1;
        boolean expect = body != 0 && c.pick(p + "expect", 5) == 1;
        boolean close = c.pick(p + "close", 8) == 1;
        int f = c.pick(p + "flaw", 32);
        Flaw flaw = f < Flaw.values().length ? Flaw.values()[f] : Flaw.NONE;
        byte[] flawBytes = flaw == Flaw.NONE ? new byte[0] : sanitize(c.bytes(p + "flawBytes", 16));
        int flawAt = flaw == Flaw.NONE ? 0 : c.pick(p + "flawAt", 256);
        return new Request(method, http10, absolute, body, bodyBytes, chunks, trailer, expect, close, flaw, flawBytes, flawAt);
    }

    /** Fuzzed bytes never carry a token's delimiter. */
    static byte[] sanitize(byte[] b) {
        byte[] s = b.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == '~') {
                s[i] = '-';
            }
        }
        return s;
    }

    /**
     * The seed of {@link dev.portier.proxy.wire.WireFuzzing#pieces}: the byte spread over a long,
     * as java.util.Random's first draw from a small seed is nearly always the same.
     */
    long splitSeed() {
        return split * 0x9E3779B97F4A7C15L;
    }

    static String token(int iteration, int index) {
        return "~" + iteration + "-" + index + "~";
    }

    /** The client's bytes: the requests, then a plain GET (index n) whose answer shows nothing was left behind. */
    byte[] clientBytes(int iteration, String host) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < requests.size(); i++) {
            out.writeBytes(render(requests.get(i), token(iteration, i), host));
        }
        out.writeBytes(("GET /" + token(iteration, requests.size()) + " HTTP/1.1\r\nHost: " + host + "\r\nX-Tok: "
                + token(iteration, requests.size()) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] render(Request r, String token, String host) {
        Flaw flaw = r.flaw();
        String eol = flaw == Flaw.BARE_LF ? "\n" : "\r\n";
        String method = flaw == Flaw.BAD_METHOD ? "G(T" : r.methodName();
        String targetHost = flaw == Flaw.UNKNOWN_HOST ? "nowhere.fz" : host;
        String target = r.absolute() ? "http://" + targetHost + "/" + token : "/" + token;
        String version = flaw == Flaw.BAD_VERSION ? "HTTP/2.0" : r.http10() ? "HTTP/1.0" : "HTTP/1.1";
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(target).append(' ').append(version).append(eol);
        h.append("Host: ").append(targetHost).append(eol);
        h.append("X-Tok: ").append(token).append(eol);
        if (flaw == Flaw.OBS_FOLD) {
            h.append(" folded").append(eol);
        }
        if (r.close()) {
            h.append("Connection: close").append(eol);
        } else if (r.http10()) {
            h.append("Connection: keep-alive").append(eol);
        }
        if (r.expect()) {
            h.append("Expect: 100-continue").append(eol);
        }
        byte[] body = r.bodyBytes();
        boolean chunked = r.body() == 2 || flaw == Flaw.BAD_FIRST_CHUNK;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (chunked) {
            h.append("Transfer-Encoding: ").append(flaw == Flaw.TE_LIST ? "gzip, chunked" : "chunked").append(eol);
            if (flaw == Flaw.CL_AND_TE) {
                h.append("Content-Length: 3").append(eol);
            }
            int size = Math.max(1, (body.length + r.chunks() - 1) / r.chunks());
            for (int at = 0, i = 0; at < body.length; at += size, i++) {
                int len = Math.min(size, body.length - at);
                String sizeLine = flaw == Flaw.BAD_FIRST_CHUNK && i == 0
                        ? (r.flawBytes().length == 0 ? "zz" : latin1(strip(r.flawBytes())))
                        : Integer.toHexString(len);
                b.writeBytes(bytes(sizeLine + "\r\n"));
                b.write(body, at, len);
                b.writeBytes(bytes(flaw == Flaw.BAD_CHUNK_END && at + len >= body.length ? "XX" : "\r\n"));
            }
            if (flaw == Flaw.BAD_FIRST_CHUNK && body.length == 0) {
                b.writeBytes(bytes("zz\r\n"));
            }
            b.writeBytes(bytes("0\r\n" + (r.trailer() ? "X-Trailer: 1\r\n" : "") + "\r\n"));
        } else if (r.body() == 1) {
            long declared = switch (flaw) {
                case LENGTH_SHORT -> Math.max(0, body.length - 1 - r.flawAt() % Math.max(1, body.length));
                case LENGTH_LONG -> body.length + 1 + r.flawAt();
                default -> body.length;
            };
            h.append("Content-Length: ").append(declared).append(eol);
            if (flaw == Flaw.TWO_LENGTHS) {
                h.append("Content-Length: ").append(declared + 1).append(eol);
            }
            if (flaw == Flaw.CL_AND_TE || flaw == Flaw.TE_LIST) {
                h.append("Transfer-Encoding: ").append(flaw == Flaw.TE_LIST ? "identity" : "chunked").append(eol);
            }
            b.writeBytes(body);
        } else if (flaw == Flaw.CL_AND_TE || flaw == Flaw.TWO_LENGTHS) {
            h.append("Content-Length: 0").append(eol).append("Transfer-Encoding: chunked").append(eol);
        }
        switch (flaw) {
            case BAD_HEADER_VALUE -> h.append("X-F: ").append(latin1(strip(r.flawBytes()))).append(eol);
            case SPACE_BEFORE_COLON -> h.append("X-Sp : 1").append(eol);
            case TWO_HOSTS -> h.append("Host: other.fz").append(eol);
            default -> {
            }
        }
        h.append(eol);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(bytes(h.toString()));
        all.writeBytes(b.toByteArray());
        byte[] out = all.toByteArray();
        return switch (flaw) {
            case OVERWRITE -> {
                int at = r.flawAt() % out.length;
                byte[] f = r.flawBytes();
                System.arraycopy(f, 0, out, at, Math.min(f.length, out.length - at));
                yield out;
            }
            case INSERT -> {
                int at = r.flawAt() % (out.length + 1);
                ByteArrayOutputStream ins = new ByteArrayOutputStream();
                ins.write(out, 0, at);
                ins.writeBytes(r.flawBytes());
                ins.write(out, at, out.length - at);
                yield ins.toByteArray();
            }
            case TRUNCATE -> Arrays.copyOf(out, r.flawAt() % out.length);
            default -> out;
        };
    }

    /** Without CR and LF, so a fuzzed header value or chunk line stays one line. */
    private static byte[] strip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : b) {
            if (x != '\r' && x != '\n') {
                out.write(x);
            }
        }
        return out.toByteArray();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** How many answers wait out the backend timeout, for the client's deadline. */
    int silences() {
        return (int) answers.stream().filter(a -> a.kind() == BackendAnswer.Kind.SILENCE).count();
    }
}
