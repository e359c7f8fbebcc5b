package dev.portier.proxy.relay;

import dev.portier.proxy.wire.HeadWriter.ConnectionHeader;

/**
 * How a final response is framed toward the client, decided from its head and the request it
 * answers; a pure decision, so every case is a row in a table test.
 *
 * @param dropFraming      the backend's Transfer-Encoding/Content-Length are not passed on
 * @param chunkBody        the body, delimited by the backend closing, goes out chunked instead
 * @param closeAfter       the client connection closes after this response
 * @param backendReusable  the backend connection may serve another exchange once this one is whole
 * @param connection       the Connection field written to the client
 * @param mergeRoom        bytes of body that may go out in the buffer of the head (0: none)
 */
record ResponseFraming(boolean dropFraming, boolean chunkBody, boolean closeAfter, boolean backendReusable,
                       ConnectionHeader connection, int mergeRoom) {

    /** Bodies up to this size are copied into the buffer of the head they follow: one send, not two. */
    static final int MERGE_LIMIT = 4096;

    /**
     * @param status          the response's status (a final one, 200 and up)
     * @param contentLength   its Content-Length, -1 when absent
     * @param chunked         its Transfer-Encoding ends in chunked
     * @param transferCoded   it has a Transfer-Encoding at all
     * @param backendKeepAlive the backend keeps its connection open after it
     * @param headRequest     it answers a HEAD
     * @param clientHttp10    the client speaks HTTP/1.0 (no chunked framing)
     * @param clientKeepAlive the client's connection may stay open (asked for, allowed, not draining)
     */
    static ResponseFraming decide(int status, long contentLength, boolean chunked, boolean transferCoded,
                                  boolean backendKeepAlive, boolean headRequest, boolean clientHttp10,
                                  boolean clientKeepAlive) {
        boolean bodyAllowed = !headRequest && status != 204 && status != 304;
        boolean dropFraming = false;
        boolean chunkBody = false;
        boolean closeAfter = !clientKeepAlive;
        boolean reusable = backendKeepAlive;
        if (bodyAllowed && !chunked && contentLength < 0) {
            // the backend ends this body by closing; re-framed for HTTP/1.1 clients so they stay
            // connected. Not when it is transfer-coded (gzip without chunked): that coding must reach
            // the client as named, so the body stays delimited by the close.
            reusable = false;
            if (clientHttp10 || transferCoded) {
                closeAfter = true;
            } else {
                chunkBody = true;
            }
        } else if (chunked && clientHttp10) {
            // the decoder takes the chunked framing off for a client that cannot read it
            dropFraming = true;
            closeAfter = true;
        }
        ConnectionHeader connection = closeAfter ? ConnectionHeader.CLOSE
                : clientHttp10 ? ConnectionHeader.KEEP_ALIVE : ConnectionHeader.NONE;
        int room = contentLength > 0 && contentLength <= MERGE_LIMIT && !chunkBody ? (int) contentLength : 0;
        return new ResponseFraming(dropFraming, chunkBody, closeAfter, reusable, connection, room);
    }
}
