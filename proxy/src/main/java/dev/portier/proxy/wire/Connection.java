package dev.portier.proxy.wire;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** What a message's Connection header says: close, keep-alive, upgrade, and the fields it makes hop-by-hop. */
record Connection(boolean close, boolean keepAlive, boolean upgrade) {

    private static final byte[] CLOSE = HeadWriter.ascii("close");
    private static final byte[] KEEP_ALIVE = HeadWriter.ascii("keep-alive");
    private static final byte[] UPGRADE = HeadWriter.ascii("upgrade");
    /** Every combination, so reading the header (most responses and browser requests have one) allocates nothing. */
    private static final Connection[] ALL = new Connection[8];

    static {
        for (int i = 0; i < 8; i++) {
            ALL[i] = new Connection((i & 1) != 0, (i & 2) != 0, (i & 4) != 0);
        }
    }

    static final Connection NONE = ALL[0];

    /**
     * Reads the Connection fields (tokens compared as bytes) and marks the fields they name as
     * hop-by-hop. The names go into a hash set first, so the marking is one look-up per field:
     * matching every named token against every field was quadratic, and a 64 KB head with a
     * 10,000-token Connection field and 4,800 other fields cost a quarter of a second of CPU.
     */
    static Connection of(HeaderFields fields) {
        int flags = 0;
        Set<String> named = null;
        byte[] b = fields.head;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.kind(i) != HeaderFields.CONNECTION) {
                continue;
            }
            int p = fields.valueStart(i);
            int end = fields.valueEnd(i);
            while (p < end) {
                int comma = HeaderFields.elementEnd(b, p, end);
                int s = HeaderFields.skipBlanks(b, p, comma);
                int e = HeaderFields.trimBlanks(b, s, comma);
                if (is(b, s, e, CLOSE)) {
                    flags |= 1;
                } else if (is(b, s, e, KEEP_ALIVE)) {
                    flags |= 2;
                } else if (is(b, s, e, UPGRADE)) {
                    flags |= 4;
                } else if (e > s) {
                    if (named == null) {
                        named = new HashSet<>();
                    }
                    named.add(new String(b, s, e - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
                }
                p = comma + 1;
            }
        }
        if (named != null) {
            fields.markNamedByConnection(named);
        }
        return ALL[flags];
    }

    private static boolean is(byte[] b, int s, int e, byte[] lower) {
        return e - s == lower.length && HeaderFields.equalsLowerCase(b, s, lower);
    }
}
