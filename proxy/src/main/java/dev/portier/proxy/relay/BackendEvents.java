package dev.portier.proxy.relay;

/** What a backend connection tells the exchange that holds it. */
interface BackendEvents {

    /** A response head, a body part or a refusal of the response, in order. */
    void onBackendRead(Object msg);

    /** The end of one socket read: time to flush toward the client. */
    void onBackendReadComplete();

    /** The backend takes bytes again after its buffer had filled. */
    void onBackendWritable();

    /** The connection closed, failed or timed out; it is already gone from the lease. */
    void onBackendFailure(RetryPolicy.Failure failure, Throwable cause);

    /**
     * Whether the exchange is waiting on the backend right now. Its silence only counts then: not
     * while the relay holds back reads for a slow client, nor while the client's request body is
     * still on its way (the client's own deadline covers that).
     */
    boolean waitingOnBackend();
}
