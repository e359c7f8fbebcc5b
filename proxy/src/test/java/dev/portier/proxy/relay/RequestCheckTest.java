package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.proxy.wire.RequestHead;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestCheckTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\nHost: www.A.com:8080                 | ROUTE  | 0   | www.a.com",
        "GET / HTTP/1.1\\nHost: __ping__                       | PING   | 200 | ",
        "GET / HTTP/1.1\\nHost: __PING__                       | PING   | 200 | ",
        "GET http://Abs.Example:81/x HTTP/1.1\\nHost: other    | ROUTE  | 0   | abs.example",
        "CONNECT a:443 HTTP/1.1\\nHost: a:443                  | REFUSE | 405 | ",
        "GET / HTTP/1.1\\nHost: :80                           | REFUSE | 400 | ",
    })
    void decides(String head, RequestCheck.Verdict verdict, int status, String host) {
        String raw = head.strip().replace("\\n", "\r\n") + "\r\n\r\n";
        RequestCheck c = RequestCheck.of(RequestHead.parse(raw.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(verdict, c.verdict());
        assertEquals(status, c.status());
        assertEquals(host, c.host());
    }
}
