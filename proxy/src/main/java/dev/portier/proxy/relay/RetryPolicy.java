package dev.portier.proxy.relay;

/**
 * What follows a backend failure: try another backend, try the same one on a fresh connection,
 * answer with an error, or cut the client connection; a pure decision, tested by tables.
 */
final class RetryPolicy {

    /** Why a backend connection stopped serving an exchange. */
    enum Failure { CONNECT, CLOSED, ERROR, TIMEOUT }

    /** The next step. */
    enum Action {
        /** Another live backend, if any is left untried. */
        RETRY,
        /** The same backend on a new connection: the kept-alive one had been closed by the backend. */
        RETRY_FRESH,
        /** Answer {@link Decision#status()} to the client. */
        FAIL,
        /** Part of a response is already with the client: nothing honest can follow it, close. */
        ABORT
    }

    /** @param markDead whether the backend gets a dead mark */
    record Decision(Action action, int status, boolean markDead) {
    }

    private RetryPolicy() {
    }

    /**
     * @param failure       what went wrong
     * @param sentToClient  bytes of the response already went to the client
     * @param reused        the backend connection came from the pool
     * @param responseSeen  the backend had sent anything on it for this exchange
     * @param bodySent      bytes of the request body went to the backend (it cannot be replayed)
     * @param idempotent    the method may be sent twice (RFC 9110 9.2.2)
     * @param hasBody       the request has a body
     * @param retriesLeft   retries remain and the client is still there
     */
    static Decision decide(Failure failure, boolean sentToClient, boolean reused, boolean responseSeen,
                           boolean bodySent, boolean idempotent, boolean hasBody, boolean retriesLeft) {
        if (sentToClient) {
            return new Decision(Action.ABORT, 0, failure == Failure.TIMEOUT);
        }
        if (failure == Failure.TIMEOUT) {
            return new Decision(Action.FAIL, 504, true);
        }
        if (failure == Failure.CONNECT) {
            // nothing reached the backend: any request may go elsewhere
            return new Decision(!bodySent && retriesLeft ? Action.RETRY : Action.FAIL, 502, true);
        }
        // a kept-alive connection the backend closed before answering is not the backend's fault
        boolean stale = reused && !responseSeen;
        boolean replayable = !bodySent && (idempotent || stale && !hasBody);
        if (!replayable || !retriesLeft) {
            return new Decision(Action.FAIL, 502, !stale);
        }
        return new Decision(stale ? Action.RETRY_FRESH : Action.RETRY, 502, !stale);
    }

    static boolean isIdempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }
}
