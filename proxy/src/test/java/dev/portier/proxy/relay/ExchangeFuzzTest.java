package dev.portier.proxy.relay;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portier.common.testing.RedisServerExtension;
import dev.portier.proxy.testing.ProxyHarness;
import dev.portier.proxy.testing.RawBackend;
import dev.portier.proxy.wire.WireFuzzing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Coverage-guided fuzzing of whole exchanges through the relay: one real proxy and one real
 * backend for the class; per input, pipelined requests (some malformed, see {@link ExchangeScript})
 * to a backend answering each as the input says (well, or with wrong lengths, bytes after the end,
 * bodies to HEAD, bad chunks, early closes, silence, see {@link BackendAnswer}). After each:
 * <ol>
 *   <li>only requests the proxy's parser read as valid, routed and with a good first chunk, none
 *       after one that ends the connection, reach the backend, in order, and well-formed;
 *   <li>every response the client gets is well-formed and carries no token but that of the
 *       request in its slot: nothing of another response (nor of an earlier input) gets in;
 *   <li>each request is answered at most once, in order; a refused one as the parser refused it;
 *       the connection is answered to the end or closed by the deadline, never left hanging;
 *   <li>a fresh connection still gets 200 (every few inputs).
 * </ol>
 * As a plain test it runs the inputs under {@code ExchangeFuzzTestInputs/} (written by
 * {@link ExchangeSeeds}); {@code JAZZER_FUZZ=1} (see bench/fuzz.sh) makes it fuzz.
 */
class ExchangeFuzzTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    /** Short, so a silent backend costs little; a slow machine only turns answers into 504s, which are allowed. */
    private static final Duration BACKEND_TIMEOUT = Duration.ofMillis(300);
    private static final int MAX_HEAD = 2048;
    private static final String HEALTH_HOST = "health.portier-fuzz.test";
    private static final int HEALTH_EVERY = 10;

    private static final AtomicInteger ITERATIONS = new AtomicInteger();
    /** Per recent iteration, the request indexes the backend may get (a late one is checked too). */
    private static final Map<Integer, Set<Integer>> ALLOWED = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Set<Integer>> e) {
            return size() > 64;
        }
    };

    private static ProxyHarness proxy;
    private static ScriptedBackend backend;
    private static RawBackend server;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyHarness.start(redis, s -> s.with("timeouts.backend", BACKEND_TIMEOUT)
                .with("listeners.maxHeaderSize", MAX_HEAD));
        backend = new ScriptedBackend();
        server = proxy.track(RawBackend.start(backend));
        proxy.route(HEALTH_HOST, "health", server.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @FuzzTest(maxDuration = "5m")
    void exchanges(FuzzedDataProvider data) throws Exception {
        if (System.getenv("JAZZER_FUZZ") == null) {
            run(ExchangeScript.from(FuzzChoices.of(data)));
            return;
        }
        // Jazzer's SSRF detector (installed with the fuzzer, reset by it between phases): the proxy,
        // its backend and Redis all talk over loopback, and only there
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            run(ExchangeScript.from(FuzzChoices.of(data)));
        }
    }

    private static void run(ExchangeScript script) throws Exception {
        int k = ITERATIONS.incrementAndGet();
        String host = "k" + k + ".fz";
        int probe = script.requests().size();
        byte[] request = script.clientBytes(k, host);
        RequestSlots slots = new RequestSlots(request, MAX_HEAD, k, host, probe);
        boolean halfClose = script.halfClose() || !slots.complete;
        Set<Integer> allowed = allowedIndexes(slots);
        synchronized (ALLOWED) {
            ALLOWED.put(k, allowed);
        }
        proxy.route(host, host, server.url());
        backend.script(k, script.answers());
        Received got;
        try {
            got = exchange(request, script.splitSeed(), halfClose, slots,
                    3000 + BACKEND_TIMEOUT.toMillis() * 2 * script.silences());
        } finally {
            redis.sync().del("frontend:" + host, "dead:" + host);
        }
        List<String> violations = new ArrayList<>();
        ClientResponses responses = new ClientResponses(got.bytes, i -> i < slots.slots.size() && slots.slots.get(i).isHead(), got.eof);
        checkResponses(k, slots, responses, got, halfClose, violations);
        checkBackend(k, violations);
        if (violations.isEmpty() && k % HEALTH_EVERY == 1) {
            health(violations);
        }
        if (!violations.isEmpty()) {
            throw new AssertionError(String.join("\n", violations) + "\n--- script: " + describe(script)
                    + "\n--- client sent (half-close " + halfClose + "):\n" + printable(request)
                    + "\n--- client got (closed " + got.eof + "):\n" + printable(got.bytes));
        }
    }

    /** The indexes of requests a backend may get: the parser's valid, routed heads before any that ends the connection. */
    private static Set<Integer> allowedIndexes(RequestSlots slots) {
        Set<Integer> allowed = new HashSet<>();
        for (RequestSlots.Slot s : slots.slots) {
            if (s.head() != null && s.routed() && !s.refusedBeforeBody() && s.index() >= 0) {
                allowed.add(s.index());
            }
            if (s.endsConnection()) {
                break;
            }
        }
        return allowed;
    }

    private record Received(byte[] bytes, boolean eof) {
    }

    private static Received exchange(byte[] request, long split, boolean halfClose, RequestSlots slots, long deadlineMs)
            throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean eof = false;
        try (Socket c = new Socket()) {
            c.setTcpNoDelay(true);
            c.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            OutputStream out = c.getOutputStream();
            try {
                for (byte[] piece : WireFuzzing.pieces(request, split)) {
                    out.write(piece);
                    out.flush();
                }
                if (halfClose) {
                    c.shutdownOutput();
                }
            } catch (IOException e) {
                // the proxy closed first (it refused something): what it answered is still to read
            }
            InputStream in = c.getInputStream();
            long deadline = System.nanoTime() + deadlineMs * 1_000_000;
            byte[] buf = new byte[8192];
            while (System.nanoTime() < deadline) {
                c.setSoTimeout((int) Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    int r = in.read(buf);
                    if (r < 0) {
                        eof = true;
                        break;
                    }
                    got.write(buf, 0, r);
                } catch (SocketTimeoutException e) {
                    // check below whether all is answered
                } catch (SocketException e) {
                    eof = true; // reset
                    break;
                }
                if (!halfClose) {
                    ClientResponses r = new ClientResponses(got.toByteArray(),
                            i -> i < slots.slots.size() && slots.slots.get(i).isHead(), false);
                    if (r.whole() && r.responses.size() >= slots.slots.size()) {
                        break;
                    }
                }
            }
        }
        return new Received(got.toByteArray(), eof);
    }

    private static void checkResponses(int k, RequestSlots slots, ClientResponses r, Received got, boolean halfClose,
                                       List<String> violations) {
        if (r.malformed != null) {
            violations.add("the client got bytes that are no HTTP/1.1 response: " + r.malformed);
        }
        if (r.switched) {
            violations.add("the client got a 101 to a request that asked for no upgrade");
        }
        List<ClientResponses.Response> rs = r.responses;
        if (rs.size() > slots.slots.size()) {
            violations.add("the client got " + rs.size() + " responses to " + slots.slots.size() + " requests");
        }
        int endAt = -1;
        for (int i = 0; i < slots.slots.size(); i++) {
            if (slots.slots.get(i).endsConnection()) {
                endAt = i;
                break;
            }
        }
        if (endAt >= 0 && rs.size() > endAt + 1) {
            violations.add("responses after request " + endAt + ", which ends the connection");
        }
        for (int i = 0; i < Math.min(rs.size(), slots.slots.size()); i++) {
            RequestSlots.Slot s = slots.slots.get(i);
            ClientResponses.Response resp = rs.get(i);
            String mine = s.index() >= 0 ? ExchangeScript.token(k, s.index()) : null;
            for (String m : resp.markers()) {
                if (!m.equals(mine)) {
                    violations.add("response " + i + " carries " + m + ", not the token of its request ("
                            + mine + "): " + firstLine(resp.head()));
                }
            }
            if (s.head() == null && resp.status() != s.refusal()) {
                violations.add("request " + i + " was refused by the parser with " + s.refusal() + ", the client got "
                        + resp.status());
            }
            if (s.head() != null && s.check().verdict() == RequestCheck.Verdict.REFUSE && resp.status() != s.check().status()) {
                violations.add("request " + i + " should be refused with " + s.check().status() + ", the client got "
                        + resp.status());
            }
        }
        if (!got.eof) {
            if (halfClose) {
                violations.add("the client half-closed, and the proxy left the connection open past the deadline");
            } else if (!r.whole() || rs.size() < slots.slots.size()) {
                violations.add("the connection hangs: " + rs.size() + " of " + slots.slots.size()
                        + " requests answered and it is still open at the deadline");
            }
        }
    }

    private static void checkBackend(int k, List<String> violations) {
        for (String m; (m = backend.malformed.poll()) != null; ) {
            violations.add("the backend got malformed bytes from the proxy: " + m);
        }
        int lastIndex = -1;
        for (ScriptedBackend.Seen s; (s = backend.seen.poll()) != null; ) {
            if (s.iteration() < 0) {
                continue; // health checks, and requests whose token the fuzzer broke (their slot has none either)
            }
            Set<Integer> allowed;
            synchronized (ALLOWED) {
                allowed = ALLOWED.get(s.iteration());
            }
            if (allowed != null && !allowed.contains(s.index())) {
                violations.add("the backend got request " + s.index() + " of input " + s.iteration()
                        + ", which the proxy must not pass on: " + s.firstLine());
            }
            if (s.iteration() == k) {
                if (s.index() < lastIndex) {
                    violations.add("the backend got request " + s.index() + " after request " + lastIndex);
                }
                lastIndex = s.index();
            }
        }
    }

    private static void health(List<String> violations) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            c.setSoTimeout(10_000);
            c.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + HEALTH_HOST + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            c.getInputStream().transferTo(got);
        }
        String s = got.toString(StandardCharsets.ISO_8859_1);
        if (!s.startsWith("HTTP/1.1 200 ") || !s.endsWith("\r\n\r\nok")) {
            violations.add("a plain GET on a fresh connection got: " + printable(got.toByteArray()));
        }
    }

    private static String firstLine(String head) {
        int e = head.indexOf("\r\n");
        return e < 0 ? head : head.substring(0, e);
    }

    private static String describe(ExchangeScript s) {
        StringBuilder b = new StringBuilder("split " + s.split() + ", half-close " + s.halfClose());
        for (int i = 0; i < s.requests().size(); i++) {
            ExchangeScript.Request r = s.requests().get(i);
            BackendAnswer a = s.answers().get(i);
            b.append("\n  ").append(i).append(": ").append(r.methodName()).append(" body ").append(r.body())
                    .append(" flaw ").append(r.flaw()).append(" -> ").append(a.kind())
                    .append(a.closeAfter() ? " then close" : "");
        }
        return b.toString();
    }

    /** Bytes as text, control bytes escaped, lines kept. */
    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\n') {
                s.append("\\n\n");
            } else if (c == '\r') {
                s.append("\\r");
            } else if (c < 0x20 || c >= 0x7f) {
                s.append(String.format("\\x%02x", c));
            } else {
                s.append((char) c);
            }
        }
        return s.toString();
    }
}
