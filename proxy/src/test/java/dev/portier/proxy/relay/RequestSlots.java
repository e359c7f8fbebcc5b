package dev.portier.proxy.relay;

import dev.portier.proxy.wire.BadMessage;
import dev.portier.proxy.wire.BodyPart;
import dev.portier.proxy.wire.RequestDecoder;
import dev.portier.proxy.wire.RequestHead;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests the proxy reads in a client's bytes, as its own parser reads them (the parser's
 * correctness is the parser fuzz targets' business): for each, whether the relay may pass it to a
 * backend at all, and whether the connection can go on after it.
 */
final class RequestSlots {

    /** One request as parsed, or a refusal in its place ({@code head} null). */
    record Slot(RequestHead head, int refusal, boolean bodyRefused, boolean refusedBeforeBody, int index,
                RequestCheck check, boolean routed) {

        /** No request can follow this one on the connection. */
        boolean endsConnection() {
            return head == null || bodyRefused || check.verdict() != RequestCheck.Verdict.ROUTE && check.verdict() != RequestCheck.Verdict.PING
                    || !head.keepAlive();
        }

        boolean isHead() {
            return head != null && head.isHead();
        }
    }

    private static final Pattern TOKEN = Pattern.compile("~(\\d+)-(\\d+)~");

    final List<Slot> slots = new ArrayList<>();
    /** The last request (the plain GET at the end) was read whole: no partial message is left. */
    final boolean complete;

    RequestSlots(byte[] input, int maxHeaderSize, int iteration, String host, int probeIndex) {
        List<Object> whole = decode(input, maxHeaderSize, false);
        List<Object> bytewise = decode(input, maxHeaderSize, true);
        try {
            List<Boolean> partsBeforeRefusal = partsBeforeRefusal(bytewise);
            boolean ended = true;
            int slotIndex = 0;
            for (int i = 0; i < whole.size(); i++) {
                Object o = whole.get(i);
                if (o instanceof BadMessage bad) {
                    slots.add(new Slot(null, bad.status(), false, true, -1, null, false));
                    ended = true;
                    slotIndex++;
                } else if (o instanceof RequestHead h) {
                    boolean partBefore = false;
                    boolean refused = false;
                    ended = h.body() == RequestHead.Body.NONE;
                    for (int j = i + 1; j < whole.size() && !ended; j++) {
                        Object p = whole.get(j);
                        if (p instanceof BodyPart part) {
                            partBefore = true;
                            ended = part.isLast();
                        } else if (p instanceof BadMessage) {
                            refused = true;
                            ended = true;
                        }
                    }
                    boolean bytewisePart = slotIndex < partsBeforeRefusal.size() && partsBeforeRefusal.get(slotIndex);
                    boolean refusedBeforeBody = refused && !partBefore && !bytewisePart && !h.expectsContinue();
                    Matcher m = TOKEN.matcher(h.uri());
                    int index = m.find() && Integer.parseInt(m.group(1)) == iteration ? Integer.parseInt(m.group(2)) : -1;
                    RequestCheck check = RequestCheck.of(h);
                    boolean routed = check.verdict() == RequestCheck.Verdict.ROUTE
                            && host.equals(check.host().toLowerCase(Locale.ROOT));
                    slots.add(new Slot(h, 0, refused, refusedBeforeBody, index, check, routed));
                    slotIndex++;
                    if (refused) {
                        break;
                    }
                }
            }
            Slot last = slots.isEmpty() ? null : slots.get(slots.size() - 1);
            complete = last != null && (last.head() == null || ended && last.index() == probeIndex);
        } finally {
            whole.forEach(ReferenceCountUtil::release);
            bytewise.forEach(ReferenceCountUtil::release);
        }
    }

    /** Per head, whether a body part came before its body was refused (split into single bytes). */
    private static List<Boolean> partsBeforeRefusal(List<Object> out) {
        List<Boolean> r = new ArrayList<>();
        boolean part = false;
        for (Object o : out) {
            if (o instanceof RequestHead) {
                r.add(false);
                part = false;
            } else if (o instanceof BodyPart) {
                part = true;
            } else if (o instanceof BadMessage && !r.isEmpty()) {
                r.set(r.size() - 1, part);
            }
        }
        return r;
    }

    private static List<Object> decode(byte[] input, int maxHeaderSize, boolean byteByByte) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(maxHeaderSize));
        List<Object> out = new ArrayList<>();
        if (byteByByte) {
            for (byte b : input) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                for (Object o; (o = ch.readInbound()) != null; ) {
                    out.add(o);
                }
            }
        } else if (input.length > 0) {
            ch.writeInbound(Unpooled.wrappedBuffer(input));
        }
        ch.finish();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }
}
