package dev.portier.proxy.relay;

import static dev.portier.proxy.relay.BackendAnswer.Kind;
import static dev.portier.proxy.relay.ExchangeScript.Flaw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the seed inputs of {@link ExchangeFuzzTest} (the hardening issue's attacks among them) as
 * the fuzz input bytes that make those choices:
 * {@code java -cp <test classpath> dev.portier.proxy.relay.ExchangeSeeds src/test/resources/dev/portier/proxy/relay/ExchangeFuzzTestInputs/exchanges}.
 */
final class ExchangeSeeds {

    private static final int GET = 0;
    private static final int HEAD = 1;
    private static final int POST = 2;
    private static final int PUT = 3;

    private ExchangeSeeds() {
    }

    static Map<String, Map<String, Object>> seeds() {
        Map<String, Map<String, Object>> s = new LinkedHashMap<>();
        s.put("get", of());
        s.put("pipelined-3", of("n", 2, "r1.method", POST, "r1.body", 1, "r1.bodyBytes", "abc",
                "a1.kind", Kind.CHUNKED.ordinal(), "r2.method", HEAD, "a2.kind", Kind.CHUNKED.ordinal()));
        s.put("pipelined-4-byte-by-byte", of("split", split(0), "n", 3, "r1.method", PUT, "r1.body", 2,
                "r1.bodyBytes", "hello chunks", "r1.chunks", 2, "r1.trailer", 1, "r2.method", HEAD,
                "r3.method", POST, "r3.body", 1, "r3.bodyBytes", "x", "a3.kind", Kind.UNTIL_CLOSE.ordinal()));
        s.put("bytes-after-response", of("n", 1, "a0.kind", Kind.BYTES_AFTER.ordinal()));
        s.put("body-to-head", of("n", 1, "r0.method", HEAD, "a0.kind", Kind.BODY_TO_HEAD.ordinal()));
        s.put("malformed-first-chunk", of("n", 1, "r0.method", POST, "r0.body", 2, "r0.bodyBytes", "hello",
                "r0.flaw", Flaw.BAD_FIRST_CHUNK.ordinal(), "r0.flawBytes", "5x", "r0.flawAt", 1));
        s.put("malformed-chunked-response", of("n", 1, "a0.kind", Kind.BAD_CHUNK.ordinal()));
        s.put("length-and-chunked-request", of("n", 1, "r0.method", POST, "r0.body", 2, "r0.bodyBytes", "abc",
                "r0.flaw", Flaw.CL_AND_TE.ordinal(), "r0.flawAt", 1));
        s.put("length-long-swallows-next", of("n", 1, "r0.method", POST, "r0.body", 1, "r0.bodyBytes", "abc",
                "r0.flaw", Flaw.LENGTH_LONG.ordinal(), "r0.flawAt", 20, "halfClose", 1));
        s.put("silence-then-get", of("n", 1, "a0.kind", Kind.SILENCE.ordinal()));
        s.put("early-close", of("n", 1, "a0.kind", Kind.EARLY_CLOSE.ordinal(), "a0.cut", 30));
        s.put("expect-continue", of("r0.method", PUT, "r0.body", 1, "r0.bodyBytes", "body", "r0.expect", 1,
                "a0.kind", Kind.INTERIM.ordinal()));
        s.put("absolute-form-http10", of("n", 1, "r0.absolute", 1, "r0.http10", 1, "r1.absolute", 1));
        s.put("no-body-status-with-body", of("n", 1, "a0.kind", Kind.NO_BODY_STATUS_WITH_BODY.ordinal(), "a0.closeAfter", 0));
        s.put("switching-unasked", of("n", 1, "a0.kind", Kind.SWITCHING.ordinal()));
        s.put("truncated-body-half-close", of("n", 1, "halfClose", 1, "r0.method", POST, "r0.body", 1,
                "r0.bodyBytes", "hello world", "r0.flaw", Flaw.TRUNCATE.ordinal(), "r0.flawAt", 70));
        s.put("long-body-then-short-body", of("n", 1, "a0.kind", Kind.LONG_BODY.ordinal(), "a0.bytes", "HTTP/1.1 200 OK\r\n\r\n",
                "a1.kind", Kind.SHORT_BODY.ordinal(), "a1.cut", 3));
        return s;
    }

    private static Map<String, Object> of(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The first split value that cuts the client's bytes the given way (0: a byte at a time; see WireFuzzing.pieces). */
    private static int split(int way) {
        for (int s = 0; s < 256; s++) {
            if (new Random(new ExchangeScript(s, false, List.of(), List.of()).splitSeed()).nextInt(4) == way) {
                return s;
            }
        }
        throw new IllegalStateException();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Map.Entry<String, Map<String, Object>> e : seeds().entrySet()) {
            FuzzChoices.Seed seed = new FuzzChoices.Seed(e.getValue());
            ExchangeScript.from(seed);
            Files.write(dir.resolve(e.getKey()), seed.input());
        }
    }
}
