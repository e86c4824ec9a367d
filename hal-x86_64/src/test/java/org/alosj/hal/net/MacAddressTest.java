package org.alosj.hal.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A NIC model's {@code mac} property, read as QEMU reads it. */
class MacAddressTest {
    @Test
    void macAddressesParseAndDefaultLikeQemu() {
        assertEquals("aa:bb:cc:dd:ee:0f", MacAddress.parse("AA:bb:cc:dd:ee:f").toString());
        assertEquals("52:54:00:12:34:56", MacAddress.parse("52-54-00-12-34-56").toString());
        assertEquals("52:54:00:12:34:56", MacAddress.defaultFor("pcnet0").toString());
        assertEquals("52:54:00:12:34:57", MacAddress.defaultFor("pcnet1").toString());
        assertEquals("52:54:00:12:34:56", MacAddress.defaultFor("nic").toString());
        assertArrayEquals(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56}, MacAddress.defaultFor("e0").octets());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:12:34"))
                .getMessage().contains("52:54:00:12:34"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("01:00:5e:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("zz:54:00:12:34:56"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("00:00:00:00:00:00"));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }
}
