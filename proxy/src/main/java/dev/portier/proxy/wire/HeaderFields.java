package dev.portier.proxy.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The header fields of one message head, as offsets into the head's bytes: nothing is copied or
 * decoded until asked for. Each field also has a kind, found once while parsing, so the proxy's
 * decisions (framing, hop-by-hop removal, forwarding headers) compare small integers, not names.
 */
public final class HeaderFields {

    public static final byte OTHER = 0;
    public static final byte HOST = 1;
    public static final byte CONTENT_LENGTH = 2;
    public static final byte TRANSFER_ENCODING = 3;
    public static final byte CONNECTION = 4;
    public static final byte KEEP_ALIVE = 5;
    public static final byte PROXY_CONNECTION = 6;
    public static final byte TE = 7;
    public static final byte TRAILER = 8;
    public static final byte UPGRADE = 9;
    public static final byte EXPECT = 10;
    public static final byte X_DEBUG = 11;
    public static final byte X_FORWARDED_FOR = 12;
    public static final byte X_FORWARDED_PROTO = 13;
    public static final byte X_FORWARDED_PROTOCOL = 14;
    public static final byte X_FORWARDED_PORT = 15;
    public static final byte X_REAL_IP = 16;
    public static final byte RETRY_AFTER = 17;
    public static final byte REFERER = 18;
    public static final byte USER_AGENT = 19;
    /** A field the Connection header names: hop-by-hop for this message only. */
    public static final byte NAMED_BY_CONNECTION = 20;

    private static final String[] NAMES = {
            null, "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
            "te", "trailer", "upgrade", "expect", "x-debug", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-protocol", "x-forwarded-port", "x-real-ip", "retry-after", "referer", "user-agent"};
    /** Known names by length, so a field name is compared with at most a few of them. */
    private static final byte[][][] BY_LENGTH = new byte[32][][];
    private static final byte[][] KINDS_BY_LENGTH = new byte[32][];

    static {
        for (int k = 1; k < NAMES.length; k++) {
            byte[] name = NAMES[k].getBytes(StandardCharsets.US_ASCII);
            int n = name.length;
            byte[][] names = BY_LENGTH[n] == null ? new byte[1][] : Arrays.copyOf(BY_LENGTH[n], BY_LENGTH[n].length + 1);
            byte[] kinds = KINDS_BY_LENGTH[n] == null ? new byte[1] : Arrays.copyOf(KINDS_BY_LENGTH[n], KINDS_BY_LENGTH[n].length + 1);
            names[names.length - 1] = name;
            kinds[kinds.length - 1] = (byte) k;
            BY_LENGTH[n] = names;
            KINDS_BY_LENGTH[n] = kinds;
        }
    }

    final byte[] head;
    // per field: name start, name end, value start, value end
    private int[] offsets;
    private byte[] kinds;
    private int size;
    private int nameLookups;

    HeaderFields(byte[] head) {
        this.head = head;
        this.offsets = new int[4 * 16];
        this.kinds = new byte[16];
    }

    void add(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        if (size == kinds.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
            kinds = Arrays.copyOf(kinds, kinds.length * 2);
        }
        int o = size * 4;
        offsets[o] = nameStart;
        offsets[o + 1] = nameEnd;
        offsets[o + 2] = valueStart;
        offsets[o + 3] = valueEnd;
        kinds[size] = kindOf(head, nameStart, nameEnd);
        size++;
    }

    static byte kindOf(byte[] b, int start, int end) {
        int n = end - start;
        if (n >= BY_LENGTH.length || BY_LENGTH[n] == null) {
            return OTHER;
        }
        byte[][] names = BY_LENGTH[n];
        for (int i = 0; i < names.length; i++) {
            if (equalsLowerCase(b, start, names[i])) {
                return KINDS_BY_LENGTH[n][i];
            }
        }
        return OTHER;
    }

    /** Whether {@code b[start..]} equals {@code lower}, ignoring ASCII case; lower is lower-case. */
    static boolean equalsLowerCase(byte[] b, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int c = b[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    public int size() {
        return size;
    }

    public byte kind(int i) {
        return kinds[i];
    }

    public String value(int i) {
        return ascii(offsets[i * 4 + 2], offsets[i * 4 + 3]);
    }

    int valueStart(int i) {
        return offsets[i * 4 + 2];
    }

    int valueEnd(int i) {
        return offsets[i * 4 + 3];
    }

    /** The first value of a field of this kind, or null. */
    public String get(byte kind) {
        for (int i = 0; i < size; i++) {
            if (kinds[i] == kind) {
                return value(i);
            }
        }
        return null;
    }

    /**
     * The values of the fields named {@code lowerName} (lower-case; an unclassified field such as
     * {@code cookie}) joined by "; " as RFC 9113 joins cookies, or null. Compares names: for rare paths only.
     */
    public String getNamed(String lowerName) {
        byte[] name = lowerName.getBytes(StandardCharsets.US_ASCII);
        String out = null;
        for (int i = 0; i < size; i++) {
            int s = offsets[i * 4];
            if (kinds[i] == OTHER && offsets[i * 4 + 1] - s == name.length && equalsLowerCase(head, s, name)) {
                out = out == null ? value(i) : out + "; " + value(i);
            }
        }
        return out;
    }

    public boolean contains(byte kind) {
        for (int i = 0; i < size; i++) {
            if (kinds[i] == kind) {
                return true;
            }
        }
        return false;
    }

    /**
     * Marks the fields named in a Connection header as hop-by-hop (RFC 9110 7.6.1): one look-up
     * per field in {@code lowerNames} (lower-case), whatever the number of names.
     */
    void markNamedByConnection(Set<String> lowerNames) {
        for (int i = 0; i < size; i++) {
            if (kinds[i] == OTHER) {
                nameLookups++;
                int s = offsets[i * 4];
                String name = new String(head, s, offsets[i * 4 + 1] - s, StandardCharsets.ISO_8859_1);
                if (lowerNames.contains(name.toLowerCase(Locale.ROOT))) {
                    kinds[i] = NAMED_BY_CONNECTION;
                }
            }
        }
    }

    /**
     * How many field names were compared with the names a Connection header lists: the measure of
     * the work hop-by-hop marking did, which must stay linear in the head's size.
     */
    int nameLookups() {
        return nameLookups;
    }

    /** Writes field i as {@code name: value CRLF}, with the line ending normalised. */
    public void write(int i, ByteBuf out) {
        int o = i * 4;
        out.writeBytes(head, offsets[o], offsets[o + 1] - offsets[o]);
        out.writeShort(':' << 8 | ' ');
        out.writeBytes(head, offsets[o + 2], offsets[o + 3] - offsets[o + 2]);
        out.writeShort('\r' << 8 | '\n');
    }

    private String ascii(int from, int to) {
        // ISO-8859-1 keeps obs-text bytes one char each, as Netty's decoder did
        return new String(head, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** End of the list element that starts at {@code p}: its comma, or {@code end}. */
    static int elementEnd(byte[] b, int p, int end) {
        while (p < end && b[p] != ',') {
            p++;
        }
        return p;
    }

    /** {@code s} moved past spaces and tabs, up to {@code e}. */
    static int skipBlanks(byte[] b, int s, int e) {
        while (s < e && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        return s;
    }

    /** {@code e} moved back over spaces and tabs, down to {@code s}. */
    static int trimBlanks(byte[] b, int s, int e) {
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        return e;
    }
}
