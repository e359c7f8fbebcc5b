package dev.portier.proxy.relay;

import java.io.IOException;

/**
 * A backend connection that could not even be opened on the proxy's side (out of file descriptors,
 * say): no fault of the backend, which is therefore neither marked dead nor passed over for another.
 */
final class NoBackendSocket extends IOException {

    NoBackendSocket(Throwable cause) {
        super("no socket for a backend connection: " + rootMessage(cause), cause);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
