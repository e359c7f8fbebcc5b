package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portier.proxy.relay.RetryPolicy.Action;
import dev.portier.proxy.relay.RetryPolicy.Decision;
import dev.portier.proxy.relay.RetryPolicy.Failure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What follows each backend failure, one row per case that leads somewhere different. */
class RetryPolicyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # case                                          | failure | sent  | reused | seen  | bodySent | idem  | body  | left  | action      | status | dead
        timeout mid-response                            | TIMEOUT | true  | false  | true  | false    | true  | false | true  | ABORT       | 0      | true
        backend closed mid-response                     | CLOSED  | true  | false  | true  | false    | true  | false | true  | ABORT       | 0      | false
        error mid-response on a pooled connection       | ERROR   | true  | true   | true  | true     | false | true  | true  | ABORT       | 0      | false
        timeout before the response, GET                | TIMEOUT | false | false  | false | false    | true  | false | true  | FAIL        | 504    | true
        timeout on a pooled connection, GET             | TIMEOUT | false | true   | false | false    | true  | false | true  | FAIL        | 504    | true
        timeout after a POST body                       | TIMEOUT | false | false  | false | true     | false | true  | true  | FAIL        | 504    | true
        timeout after a partial head                    | TIMEOUT | false | false  | true  | false    | true  | false | true  | FAIL        | 504    | true
        connect refused, GET                            | CONNECT | false | false  | false | false    | true  | false | true  | RETRY       | 502    | true
        connect refused, POST: nothing reached it       | CONNECT | false | false  | false | false    | false | true  | true  | RETRY       | 502    | true
        connect refused, no retries left               | CONNECT | false | false  | false | false    | true  | false | false | FAIL        | 502    | true
        connect refused after a body went elsewhere     | CONNECT | false | false  | false | true     | false | true  | true  | FAIL        | 502    | true
        new connection closed, GET                      | CLOSED  | false | false  | false | false    | true  | false | true  | RETRY       | 502    | true
        new connection closed, GET, no retries left     | CLOSED  | false | false  | false | false    | true  | false | false | FAIL        | 502    | true
        new connection closed in the head, GET          | CLOSED  | false | false  | true  | false    | true  | false | true  | RETRY       | 502    | true
        new connection closed, bodyless POST            | CLOSED  | false | false  | false | false    | false | false | true  | FAIL        | 502    | true
        new connection closed, PUT before its body      | CLOSED  | false | false  | false | false    | true  | true  | true  | RETRY       | 502    | true
        new connection closed, PUT after its body       | CLOSED  | false | false  | false | true     | true  | true  | true  | FAIL        | 502    | true
        new connection reset, GET                       | ERROR   | false | false  | false | false    | true  | false | true  | RETRY       | 502    | true
        new connection reset, POST after its body       | ERROR   | false | false  | false | true     | false | true  | true  | FAIL        | 502    | true
        stale pooled connection, GET                    | CLOSED  | false | true   | false | false    | true  | false | true  | RETRY_FRESH | 502    | false
        stale pooled connection, GET, no retries left   | CLOSED  | false | true   | false | false    | true  | false | false | FAIL        | 502    | false
        stale pooled connection reset, GET              | ERROR   | false | true   | false | false    | true  | false | true  | RETRY_FRESH | 502    | false
        stale pooled connection, bodyless POST          | CLOSED  | false | true   | false | false    | false | false | true  | RETRY_FRESH | 502    | false
        stale pooled connection, POST before its body   | CLOSED  | false | true   | false | false    | false | true  | true  | FAIL        | 502    | false
        stale pooled connection, POST after its body    | CLOSED  | false | true   | false | true     | false | true  | true  | FAIL        | 502    | false
        stale pooled connection, PUT before its body    | CLOSED  | false | true   | false | false    | true  | true  | true  | RETRY_FRESH | 502    | false
        stale pooled connection, PUT after its body     | CLOSED  | false | true   | false | true     | true  | true  | true  | FAIL        | 502    | false
        pooled connection closed in the head, GET       | CLOSED  | false | true   | true  | false    | true  | false | true  | RETRY       | 502    | true
        pooled connection closed in the head, POST      | CLOSED  | false | true   | true  | false    | false | false | true  | FAIL        | 502    | true
        pooled connection closed in the head, no retry  | CLOSED  | false | true   | true  | false    | true  | false | false | FAIL        | 502    | true
        """)
    void decides(String name, Failure failure, boolean sent, boolean reused, boolean seen, boolean bodySent,
                 boolean idempotent, boolean hasBody, boolean retriesLeft, Action action, int status, boolean dead) {
        Decision d = RetryPolicy.decide(failure, sent, reused, seen, bodySent, idempotent, hasBody, retriesLeft);
        assertEquals(new Decision(action, status, dead), d, name);
    }

    @ParameterizedTest(name = "{0} idempotent: {1}")
    @CsvSource({
        "GET, true", "HEAD, true", "OPTIONS, true", "TRACE, true", "PUT, true", "DELETE, true",
        "POST, false", "PATCH, false", "CONNECT, false", "LOCK, false", "get, false"
    })
    void knowsTheIdempotentMethods(String method, boolean idempotent) {
        assertEquals(idempotent, RetryPolicy.isIdempotent(method));
    }
}
