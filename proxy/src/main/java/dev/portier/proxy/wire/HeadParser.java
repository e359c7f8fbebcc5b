package dev.portier.proxy.wire;

import java.nio.charset.StandardCharsets;

/**
 * The grammar both sides share (RFC 9112 section 5, RFC 9110 section 5.5): header field lines
 * with a token name directly followed by a colon, values of visible characters, spaces and tabs.
 * A line may end in CRLF or a bare LF (the lines are re-written with CRLF); a bare CR, obsolete
 * line folding, whitespace before the colon or a control character anywhere is refused, because a
 * backend that reads such a message differently would see another request than we did.
 */
final class HeadParser {

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0x21; c <= 0xff; c++) {
            FIELD_VALUE[c] = c != 0x7f;
        }
        FIELD_VALUE[' '] = true;
        FIELD_VALUE['\t'] = true;
    }

    private HeadParser() {
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xff];
    }

    static boolean isFieldValue(byte b) {
        return FIELD_VALUE[b & 0xff];
    }

    /** Index of the next LF in b[from, to), or -1. */
    static int indexOfLf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** End of the line ending at the LF at {@code lf} that starts at {@code start}, without its CR. */
    static int contentEnd(byte[] b, int start, int lf) {
        return lf > start && b[lf - 1] == '\r' ? lf - 1 : lf;
    }

    /**
     * Parses the field lines of b from {@code from} (just past the start line) to the blank line
     * that ends the head, into {@code fields}.
     *
     * @param bad the status a refused message gets (400 from a client, 502 from a backend)
     */
    static void parseFields(byte[] b, int from, HeaderFields fields, int bad) {
        int p = from;
        int n = b.length;
        while (true) {
            int lf = indexOfLf(b, p, n);
            if (lf < 0) {
                throw new BadMessageException(bad, "head without an end");
            }
            int end = contentEnd(b, p, lf);
            if (end == p) {
                return;
            }
            parseField(b, p, end, fields, bad);
            p = lf + 1;
        }
    }

    private static void parseField(byte[] b, int s, int e, HeaderFields fields, int bad) {
        if (b[s] == ' ' || b[s] == '\t') {
            throw new BadMessageException(bad, "obsolete line folding in headers");
        }
        int i = s;
        while (i < e && TCHAR[b[i] & 0xff]) {
            i++;
        }
        if (i == s || i == e || b[i] != ':') {
            throw new BadMessageException(bad, "bad header field name");
        }
        int nameEnd = i++;
        while (i < e && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        int ve = e;
        while (ve > i && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        for (int j = i; j < ve; j++) {
            if (!FIELD_VALUE[b[j] & 0xff]) {
                throw new BadMessageException(bad, "control character in header "
                        + new String(b, s, nameEnd - s, StandardCharsets.ISO_8859_1));
            }
        }
        fields.add(s, nameEnd, i, ve);
    }

    /** Checks one trailer field line, b without its line ending. */
    static void checkTrailerField(byte[] b, int bad) {
        parseField(b, 0, b.length, new HeaderFields(b), bad);
    }

    /** Parses a Content-Length value: digits only, no sign, no list, no overflow; -1 when not a number. */
    static long parseLength(byte[] b, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Whether b[from, to) is {@code HTTP/} digit {@code .} digit. */
    static boolean looksLikeVersion(byte[] b, int from, int to) {
        return to - from == 8 && b[from] == 'H' && b[from + 1] == 'T' && b[from + 2] == 'T' && b[from + 3] == 'P'
                && b[from + 4] == '/' && Character.isDigit(b[from + 5]) && b[from + 6] == '.'
                && Character.isDigit(b[from + 7]);
    }
}
