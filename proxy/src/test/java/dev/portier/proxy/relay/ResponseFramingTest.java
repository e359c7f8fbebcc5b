package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.proxy.wire.HeadWriter.ConnectionHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a final response can be framed toward the client, one row each. */
class ResponseFramingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # case                                       | status | length | chunked | coded | beKA  | head  | http10 | clKA  | drop  | chunk | close | reuse | conn       | room
        length, both sides kept alive                | 200    | 100    | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 100
        length at the merge limit                    | 200    | 4096   | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 4096
        length past the merge limit                  | 200    | 4097   | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 0
        empty body by length                         | 200    | 0      | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 0
        length, backend closes after it              | 200    | 100    | false   | false | false | false | false  | true  | false | false | false | false | NONE       | 100
        length, client not kept alive                | 200    | 100    | false   | false | true  | false | false  | false | false | false | true  | true  | CLOSE      | 100
        length, HTTP/1.0 client kept alive           | 200    | 100    | false   | false | true  | false | true   | true  | false | false | false | true  | KEEP_ALIVE | 100
        length, HTTP/1.0 client not kept alive       | 200    | 100    | false   | false | true  | false | true   | false | false | false | true  | true  | CLOSE      | 100
        chunked, HTTP/1.1 client                     | 200    | -1     | true    | true  | true  | false | false  | true  | false | false | false | true  | NONE       | 0
        chunked, HTTP/1.1 client not kept alive      | 200    | -1     | true    | true  | true  | false | false  | false | false | false | true  | true  | CLOSE      | 0
        chunked, HTTP/1.0 client: de-chunked, closed | 200    | -1     | true    | true  | true  | false | true   | true  | true  | false | true  | true  | CLOSE      | 0
        chunked, backend closes after it             | 200    | -1     | true    | true  | false | false | false  | true  | false | false | false | false | NONE       | 0
        until close, HTTP/1.1 client: re-chunked     | 200    | -1     | false   | false | false | false | false  | true  | false | true  | false | false | NONE       | 0
        until close, backend said keep-alive         | 200    | -1     | false   | false | true  | false | false  | true  | false | true  | false | false | NONE       | 0
        until close, HTTP/1.1 client not kept alive  | 200    | -1     | false   | false | false | false | false  | false | false | true  | true  | false | CLOSE      | 0
        until close, HTTP/1.0 client: closed         | 200    | -1     | false   | false | false | false | true   | true  | false | false | true  | false | CLOSE      | 0
        non-chunked coding kept, body ends at close  | 200    | -1     | false   | true  | false | false | false  | true  | false | false | true  | false | CLOSE      | 0
        non-chunked coding, HTTP/1.0 client          | 200    | -1     | false   | true  | false | false | true   | true  | false | false | true  | false | CLOSE      | 0
        HEAD without length: no body to delimit      | 200    | -1     | false   | false | true  | true  | false  | true  | false | false | false | true  | NONE       | 0
        HEAD with the GET's length                   | 200    | 100    | false   | false | true  | true  | false  | true  | false | false | false | true  | NONE       | 100
        HEAD, HTTP/1.0 client                        | 200    | -1     | false   | false | true  | true  | true   | true  | false | false | false | true  | KEEP_ALIVE | 0
        HEAD answered chunked, HTTP/1.0 client       | 200    | -1     | true    | true  | true  | true  | true   | true  | true  | false | true  | true  | CLOSE      | 0
        204 without length                           | 204    | -1     | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 0
        304 without length                           | 304    | -1     | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 0
        304 with the representation's length         | 304    | 100    | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 100
        304, HTTP/1.0 client                         | 304    | -1     | false   | false | true  | false | true   | true  | false | false | false | true  | KEEP_ALIVE | 0
        error status by length                       | 503    | 20     | false   | false | true  | false | false  | true  | false | false | false | true  | NONE       | 20
        error status until close                     | 502    | -1     | false   | false | false | false | false  | true  | false | true  | false | false | NONE       | 0
        """)
    void decides(String name, int status, long length, boolean chunked, boolean coded, boolean backendKeepAlive,
                 boolean head, boolean http10, boolean clientKeepAlive,
                 boolean drop, boolean chunk, boolean close, boolean reuse, ConnectionHeader connection, int room) {
        ResponseFraming f = ResponseFraming.decide(status, length, chunked, coded, backendKeepAlive, head, http10,
                clientKeepAlive);
        assertEquals(new ResponseFraming(drop, chunk, close, reuse, connection, room), f, name);
    }
}
