package dev.portier.proxy.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Holds what a decoder handed on to the bytes it was given, the invariants of the fuzz targets:
 * <ul>
 *   <li>messages come as head, body parts, end of body; at most one refusal, and nothing after it;
 *   <li>a refusal comes in place of the head it refuses (a refused request yields no head) or
 *       inside a chunked body; a body framed by length is never refused;
 *   <li>heads and body bytes are the input's own bytes, in order, none left out or made up;
 *   <li>a body ends exactly where its framing says ({@link ReferenceChunkedBody} for chunked);
 *   <li>what the input proves wrong is refused by the time the input ends: a chunked body the
 *       reference finds malformed, a CR without LF or a whole head that is left lying.
 * </ul>
 */
public final class DecoderOutputCheck {

    private static final Set<Integer> REQUEST_REFUSALS = Set.of(400, 414, 431, 501, 505);

    private final byte[] input;
    private final List<Object> out;
    private final int maxHeaderSize;
    private int at;
    private int next;
    private boolean refused;

    private DecoderOutputCheck(byte[] input, List<Object> out, int maxHeaderSize) {
        this.input = input;
        this.out = out;
        this.maxHeaderSize = maxHeaderSize;
    }

    /** Checks a {@link RequestDecoder}'s output for this input (its maxHeaderSize bounds trailers). */
    public static void requests(byte[] input, List<Object> out, int maxHeaderSize) {
        new DecoderOutputCheck(input, out, maxHeaderSize).requests();
    }

    /** Checks a {@link ResponseDecoder}'s output, told to expect answers to HEAD or not, de-chunking or not. */
    public static void responses(byte[] input, List<Object> out, int maxHeaderSize, boolean headRequest,
                                 boolean dechunk) {
        new DecoderOutputCheck(input, out, maxHeaderSize).responses(headRequest, dechunk);
    }

    private void requests() {
        while (next < out.size()) {
            Object o = out.get(next++);
            if (o instanceof BadMessage bad) {
                refusalLast(bad, REQUEST_REFUSALS);
                return;
            }
            RequestHead h = as(o, RequestHead.class, "a request head or a refusal");
            skipEmptyLines();
            ownBytes(h.bytes(), "request head");
            boolean ended = switch (h.body()) {
                case NONE -> true;
                case LENGTH -> lengthBody(h.contentLength());
                case CHUNKED -> chunkedBody(false, Set.of(400));
            };
            if (refused) {
                return;
            }
            if (!ended) {
                nothingMore("after a body the input cut short");
                return;
            }
        }
        leftover(true);
    }

    private void responses(boolean headRequest, boolean dechunk) {
        while (next < out.size()) {
            Object o = out.get(next++);
            if (o instanceof BadMessage bad) {
                refusalLast(bad, Set.of(502));
                return;
            }
            ResponseHead h = as(o, ResponseHead.class, "a response head or a refusal");
            ownBytes(h.bytes(), "response head");
            int status = h.status();
            boolean ended;
            if (status == 101 || status < 200 || status == 204 || status == 304 || headRequest
                    || !h.isChunked() && h.contentLength() == 0) {
                BodyPart p = as(next < out.size() ? out.get(next++) : null, BodyPart.class, "the end of a bodyless response");
                check(p.isLast() && !p.content().isReadable(), "a bodyless response ends at once, empty");
                if (status == 101) {
                    nothingMore("after a 101: the rest belongs to the tunnel");
                    return;
                }
                ended = true;
            } else if (h.isChunked()) {
                ended = chunkedBody(dechunk, Set.of(502));
            } else if (h.contentLength() > 0) {
                ended = lengthBody(h.contentLength());
            } else {
                untilClose();
                return;
            }
            if (refused) {
                return;
            }
            if (!ended) {
                nothingMore("after a body the input cut short");
                return;
            }
        }
        leftover(false);
    }

    private boolean lengthBody(long length) {
        long got = 0;
        boolean last = false;
        while (!last && next < out.size() && out.get(next) instanceof BodyPart p) {
            next++;
            byte[] b = bytes(p);
            ownBytes(b, "body");
            check(p.payload() == b.length, "a length-framed part's payload is all of it");
            got += b.length;
            last = p.isLast();
        }
        check(got <= length, "no more body than Content-Length says");
        check(last == (got == length), "the body ends exactly at Content-Length");
        return last;
    }

    private boolean chunkedBody(boolean dechunk, Set<Integer> refusals) {
        int start = at;
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        long payload = 0;
        boolean last = false;
        while (!last && next < out.size() && out.get(next) instanceof BodyPart p) {
            next++;
            byte[] b = bytes(p);
            if (!dechunk) {
                ownBytes(b, "chunked body");
            }
            passed.writeBytes(b);
            payload += p.payload();
            last = p.isLast();
        }
        ReferenceChunkedBody.Result ref = ReferenceChunkedBody.read(input, start, maxHeaderSize);
        if (dechunk) {
            byte[] got = passed.toByteArray();
            check(Arrays.equals(got, 0, got.length, ref.payload(), 0, Math.min(got.length, ref.payload().length))
                    && got.length <= ref.payload().length, "de-chunked bytes are the chunks' data");
        }
        if (last) {
            check(ref.state() == ReferenceChunkedBody.State.COMPLETE, "a chunked body ends only where the reference ends it");
            if (dechunk) {
                check(passed.size() == ref.payload().length, "all the chunks' data is passed on");
                at = ref.end();
            } else {
                check(at == ref.end(), "the chunked body's bytes end where the reference ends it");
                check(payload == ref.payload().length, "payload counts the chunks' data");
            }
            return true;
        }
        if (next < out.size() && out.get(next) instanceof BadMessage bad) {
            check(ref.state() == ReferenceChunkedBody.State.MALFORMED || ref.state() == ReferenceChunkedBody.State.LIMIT,
                    "a chunked body is refused only when the reference finds it wrong, not " + ref.state());
            next++;
            refusalLast(bad, refusals);
            return true;
        }
        check(ref.state() != ReferenceChunkedBody.State.MALFORMED, "a malformed chunked body is refused by the end of input");
        check(ref.state() != ReferenceChunkedBody.State.COMPLETE, "a complete chunked body is ended");
        return false;
    }

    private void untilClose() {
        boolean last = false;
        while (!last && next < out.size() && out.get(next) instanceof BodyPart p) {
            next++;
            ownBytes(bytes(p), "body");
            last = p.isLast();
        }
        check(last, "a body that runs until close ends when the input does");
        check(at == input.length, "a body that runs until close is all the rest");
        nothingMore("after the input ended");
    }

    private void refusalLast(BadMessage bad, Set<Integer> allowed) {
        refused = true;
        check(allowed.contains(bad.status()), "refusal status " + bad.status());
        check(next == out.size(), "nothing after a refusal");
    }

    private void nothingMore(String when) {
        check(next == out.size(), "nothing handed on " + when + ": " + out.subList(next, out.size()));
    }

    /**
     * What the decoder kept unparsed must be the start of a head: no CR without LF, no whole head
     * (it should have been parsed or refused), not as much as the head size limit.
     */
    private void leftover(boolean request) {
        if (request) {
            skipEmptyLines();
        }
        int prevLf = -1;
        for (int i = at; i < input.length; i++) {
            if (input[i] == '\r' && i + 1 < input.length && input[i + 1] != '\n') {
                fail("a CR without LF was left unrefused at " + i);
            }
            if (input[i] == '\n') {
                if (prevLf >= 0 && (i == prevLf + 1 || i == prevLf + 2 && input[prevLf + 1] == '\r')) {
                    fail("a whole head was left lying at " + at);
                }
                prevLf = i;
            }
        }
        check(input.length - at < maxHeaderSize, "a head past the size limit is refused");
    }

    /** RFC 9112 2.2: empty lines (CRLF or LF) before a request line are skipped. */
    private void skipEmptyLines() {
        while (at < input.length && (input[at] == '\n'
                || input[at] == '\r' && at + 1 < input.length && input[at + 1] == '\n')) {
            at += input[at] == '\n' ? 1 : 2;
        }
    }

    private void ownBytes(byte[] b, String what) {
        check(at + b.length <= input.length && Arrays.equals(input, at, at + b.length, b, 0, b.length),
                what + " bytes are the input's at " + at);
        at += b.length;
    }

    private static byte[] bytes(BodyPart p) {
        byte[] b = new byte[p.content().readableBytes()];
        p.content().getBytes(p.content().readerIndex(), b);
        return b;
    }

    private <T> T as(Object o, Class<T> type, String expected) {
        if (!type.isInstance(o)) {
            fail("expected " + expected + ", got " + o);
        }
        return type.cast(o);
    }

    private void check(boolean ok, String invariant) {
        if (!ok) {
            fail(invariant);
        }
    }

    private void fail(String invariant) {
        throw new AssertionError(invariant + "\ninput: " + new String(input, StandardCharsets.ISO_8859_1)
                .replace("\r", "\\r").replace("\n", "\\n\n") + "\noutput: " + WireFuzzing.summary(out));
    }
}
