package dev.portier.proxy.wire;

/**
 * Checks a request's Transfer-Encoding: the proxy passes on exactly one field whose value is
 * exactly {@code chunked}, so every backend frames the body as we did. Anything else is refused,
 * because servers disagree on it (an empty list element, a coding before chunked, two fields)
 * and a backend that reads it differently would take part of the body for another request.
 */
final class TransferCodings {

    private static final byte[] CHUNKED = HeadWriter.ascii("chunked");

    private TransferCodings() {
    }

    /**
     * @throws BadMessageException 400 for a malformed list (empty elements, a non-token element
     *                             such as a parameter or a quoted string, two fields, chunked
     *                             twice or not last: RFC 9112 6.3 asks for 400 when chunked is not
     *                             the final coding); 501 for a well-formed list with another coding
     *                             before chunked, which is valid HTTP but a coding we do not
     *                             implement (RFC 9112 6.1 suggests 501, as nginx answers; HAProxy's
     *                             422 says the request was understood, which is not the case)
     */
    static void requireChunkedOnly(HeaderFields f) {
        byte[] b = f.head;
        int fieldsSeen = 0;
        int codings = 0;
        int chunkedAt = -1;
        int firstOther = -1;
        int firstOtherEnd = -1;
        for (int i = 0; i < f.size(); i++) {
            if (f.kind(i) != HeaderFields.TRANSFER_ENCODING) {
                continue;
            }
            fieldsSeen++;
            int p = f.valueStart(i);
            int end = f.valueEnd(i);
            while (true) {
                int comma = HeaderFields.elementEnd(b, p, end);
                int s = HeaderFields.skipBlanks(b, p, comma);
                int e = HeaderFields.trimBlanks(b, s, comma);
                if (s == e) {
                    throw new BadMessageException("empty element in Transfer-Encoding");
                }
                for (int k = s; k < e; k++) {
                    if (!HeadParser.isTchar(b[k])) {
                        throw new BadMessageException("malformed Transfer-Encoding");
                    }
                }
                if (e - s == CHUNKED.length && HeaderFields.equalsLowerCase(b, s, CHUNKED)) {
                    if (chunkedAt >= 0) {
                        throw new BadMessageException("chunked twice in Transfer-Encoding");
                    }
                    chunkedAt = codings;
                } else if (firstOther < 0) {
                    firstOther = s;
                    firstOtherEnd = e;
                }
                codings++;
                if (comma == end) {
                    break;
                }
                p = comma + 1;
            }
        }
        if (fieldsSeen > 1) {
            throw new BadMessageException("more than one Transfer-Encoding field");
        }
        if (chunkedAt != codings - 1) {
            throw new BadMessageException("Transfer-Encoding must end with chunked");
        }
        if (firstOther >= 0) {
            throw new BadMessageException(501, "transfer coding "
                    + new String(b, firstOther, firstOtherEnd - firstOther, java.nio.charset.StandardCharsets.ISO_8859_1)
                    + " not implemented");
        }
    }
}
