package dev.portier.proxy.relay;

import dev.portier.proxy.errors.RootCause;
import java.io.IOException;

/**
 * A backend connection that could not even be opened on the proxy's side (out of file descriptors,
 * say): no fault of the backend, which is therefore neither marked dead nor passed over for another.
 */
final class NoBackendSocket extends IOException {

    NoBackendSocket(Throwable cause) {
        super("no socket for a backend connection: " + RootCause.message(cause), cause);
    }
}
