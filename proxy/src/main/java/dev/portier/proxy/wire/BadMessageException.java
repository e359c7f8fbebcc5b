package dev.portier.proxy.wire;

/** A message that breaks HTTP/1.1's rules; {@code status} is what a client that sent it gets. */
public final class BadMessageException extends RuntimeException {

    private final int status;

    public BadMessageException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public BadMessageException(String message) {
        this(400, message);
    }

    public int status() {
        return status;
    }
}
