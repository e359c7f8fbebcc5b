package dev.portier.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.local.LocalAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressFilterTest {

    private static final AddressFilter LOOPBACK = AddressFilter.parse("127.0.0.0/8", "::1/128");

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, true",
            "127.255.255.254, true",
            "128.0.0.1, false",
            "10.0.0.1, false",
            "::1, true",
            "::2, false",
            "::ffff:127.0.0.1, true",
            "::ffff:10.0.0.1, false",
    })
    void theDefaultListIsLoopbackOnly(String address, boolean allowed) throws UnknownHostException {
        assertEquals(allowed, LOOPBACK.allows(InetAddress.getByName(address)), address);
    }

    @Test
    void blocksMatchOnTheirPrefixEvenMidByte() throws UnknownHostException {
        AddressFilter f = AddressFilter.parse("192.0.2.64/26", "2001:db8:abcd::/48");
        assertTrue(f.allows(InetAddress.getByName("192.0.2.64")));
        assertTrue(f.allows(InetAddress.getByName("192.0.2.127")));
        assertFalse(f.allows(InetAddress.getByName("192.0.2.63")));
        assertFalse(f.allows(InetAddress.getByName("192.0.2.128")));
        assertTrue(f.allows(InetAddress.getByName("2001:db8:abcd:12::1")));
        assertFalse(f.allows(InetAddress.getByName("2001:db8:abce::1")));
    }

    @Test
    void anAddressWithoutPrefixIsOneHostAndSlashZeroIsEveryone() throws UnknownHostException {
        AddressFilter one = AddressFilter.parse("10.1.2.3");
        assertTrue(one.allows(InetAddress.getByName("10.1.2.3")));
        assertFalse(one.allows(InetAddress.getByName("10.1.2.4")));
        assertEquals("10.1.2.3/32", one.toString());

        AddressFilter all = AddressFilter.parse("0.0.0.0/0", "::/0");
        assertTrue(all.allows(InetAddress.getByName("203.0.113.9")));
        assertTrue(all.allows(InetAddress.getByName("2001:db8::9")));
    }

    @Test
    void anIpv4MappedBlockMatchesPlainIpv4Clients() throws UnknownHostException {
        AddressFilter f = AddressFilter.parse("::ffff:10.0.0.0/104");
        assertEquals(AddressFilter.parse("10.0.0.0/8"), f);
        assertTrue(f.allows(InetAddress.getByName("10.9.9.9")));
    }

    @Test
    void anEmptyListAllowsNobody() throws UnknownHostException {
        AddressFilter none = AddressFilter.parse(List.of());
        assertTrue(none.isEmpty());
        assertFalse(none.allows(InetAddress.getByName("127.0.0.1")));
        assertEquals("none", none.toString());
        assertEquals(AddressFilter.NONE, none);
    }

    @Test
    void aChannelAddressThatIsNotAnIpSocketIsNeverAllowed() {
        assertTrue(LOOPBACK.allows(new InetSocketAddress("127.0.0.1", 80)));
        assertFalse(LOOPBACK.allows(InetSocketAddress.createUnresolved("localhost", 80)));
        assertFalse(LOOPBACK.allows(new LocalAddress("local")));
    }

    @Test
    void itPrintsCanonicalBlocks() {
        assertEquals("127.0.0.0/8, ::1/128", LOOPBACK.toString());
        assertEquals("2001:db8::/32", AddressFilter.parse(" 2001:0DB8:0:0::/32 ").toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "localhost        | \"localhost\" is not an IP address or a CIDR block (address/prefix)",
            "10.0.0.256       | \"10.0.0.256\" is not an IP address or a CIDR block (address/prefix)",
            "''               | \"\" is not an IP address or a CIDR block (address/prefix)",
            "fe80::1%eth0     | \"fe80::1%eth0\" is not an IP address or a CIDR block (address/prefix)",
            "10.0.0.0/33      | \"10.0.0.0/33\": the prefix must be 0..32",
            "::/129           | \"::/129\": the prefix must be 0..128",
            "10.0.0.0/-1      | \"10.0.0.0/-1\": the prefix must be 0..32",
            "10.0.0.0/        | \"10.0.0.0/\": the prefix must be 0..32",
            "10.0.0.1/8       | \"10.0.0.1/8\" has bits set past its /8 prefix (did you mean 10.0.0.0/8?)",
    })
    void aBadEntryIsRefusedNamingIt(String entry, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressFilter.parse(entry));
        assertEquals(message, e.getMessage());
    }
}
