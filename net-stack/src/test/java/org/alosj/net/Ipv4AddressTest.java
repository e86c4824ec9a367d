package org.alosj.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An IPv4 address is its 32 bits: equal, hashed and looked up by them alone. */
class Ipv4AddressTest {
    @Test
    void addressesOfTheSameBitsAreEqualAndFindEachOtherInAMap() {
        Map<Ipv4Address, String> arp = new HashMap<>();
        arp.put(Ipv4Address.parse("192.0.2.1"), "gateway");
        arp.put(Ipv4Address.parse("10.0.2.15"), "guest");
        assertEquals("gateway", arp.get(new Ipv4Address(0xc0000201)));
        assertEquals("guest", arp.get(Ipv4Address.parse("10.0.2.15")));
        assertEquals(Ipv4Address.BROADCAST, Ipv4Address.parse("255.255.255.255"));
        assertEquals(Ipv4Address.BROADCAST.hashCode(), Ipv4Address.parse("255.255.255.255").hashCode());
        assertNotEquals(Ipv4Address.ANY, Ipv4Address.LOOPBACK);
        assertFalse(Ipv4Address.LOOPBACK.equals("127.0.0.1"));
    }
}
