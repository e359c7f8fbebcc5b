package dev.portier.deploy.docker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.Optional;

/** A host port Docker could not publish because something else holds it, and a free one to ask for instead. */
final class PortCollision {

    private PortCollision() {
    }

    /** Whether Docker's error says the host port was taken (the userland proxy's bind, or its own allocator). */
    static boolean is(RuntimeException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("address already in use") || m.contains("port is already allocated");
    }

    /**
     * A port the kernel says is free on {@code hostAddress} now, when that address is this
     * machine's; empty when the engine is elsewhere and only it can choose.
     */
    static Optional<Integer> freePort(String hostAddress) {
        try {
            InetAddress address = InetAddress.getByName(hostAddress);
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
                return Optional.empty();
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(address, 0));
                return Optional.of(s.getLocalPort());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
