package dev.portier.proxy.errors;

/** The innermost cause's message of a wrapped exception: what an operator can act on. */
public final class RootCause {

    private RootCause() {
    }

    /** The message of the last cause in {@code t}'s chain (its type when it has none). */
    public static String message(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
