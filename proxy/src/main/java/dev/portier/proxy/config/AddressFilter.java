package dev.portier.proxy.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An immutable list of IP addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code ::1/128},
 * {@code 192.0.2.7}) that says whether a client address is in it. Names are never resolved.
 */
public final class AddressFilter {

    /** No address at all. */
    public static final AddressFilter NONE = new AddressFilter(List.of());

    /** One block: its network bytes (4 or 16) and how many leading bits must match. */
    private record Block(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && prefix == b.prefix && Arrays.equals(network, b.network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + prefix;
        }

        @Override
        public String toString() {
            return NetUtil.bytesToIpAddress(network) + "/" + prefix;
        }
    }

    private final List<Block> blocks;

    private AddressFilter(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses entries, each an IP address or {@code address/prefix}; throws IllegalArgumentException
     * naming the first bad one. A block with bits set past its prefix is refused: it is a typo more often
     * than not.
     */
    public static AddressFilter parse(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            blocks.add(block(entry));
        }
        return new AddressFilter(blocks);
    }

    public static AddressFilter parse(String... entries) {
        return parse(List.of(entries));
    }

    private static Block block(String entry) {
        String text = entry.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
        if (address == null || host.indexOf('%') >= 0) {
            throw new IllegalArgumentException("\"" + entry + "\" is not an IP address or a CIDR block (address/prefix)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("\"" + entry + "\": the prefix must be 0.." + bits);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] network = masked(address, prefix);
        if (!Arrays.equals(network, address)) {
            throw new IllegalArgumentException("\"" + entry + "\" has bits set past its /" + prefix + " prefix (did you mean "
                    + new Block(network, prefix) + "?)");
        }
        return unmapped(new Block(network, prefix));
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    /** {@code ::ffff:10.0.0.0/104} is {@code 10.0.0.0/8}: clients on a dual-stack socket are matched as IPv4. */
    private static Block unmapped(Block b) {
        byte[] v4 = ipv4(b.network());
        return v4 != null && b.prefix() >= 96 ? new Block(v4, b.prefix() - 96) : b;
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 one, or null. */
    private static byte[] ipv4(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return null;
            }
        }
        if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
            return null;
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    /** Whether {@code address} is in one of the blocks. */
    public boolean allows(InetAddress address) {
        byte[] bytes = address.getAddress();
        byte[] v4 = ipv4(bytes);
        byte[] wanted = v4 != null ? v4 : bytes;
        for (Block b : blocks) {
            if (b.contains(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a channel's remote address is in one of the blocks; false for anything but an IP socket. */
    public boolean allows(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getAddress() != null && allows(a.getAddress());
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressFilter f && blocks.equals(f.blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    /** The blocks as {@code address/prefix}, comma-separated; "none" when empty. */
    @Override
    public String toString() {
        return blocks.isEmpty() ? "none" : blocks.stream().map(Block::toString).collect(Collectors.joining(", "));
    }
}
