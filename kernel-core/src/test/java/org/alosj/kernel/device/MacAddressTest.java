package org.alosj.kernel.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacAddressTest {
    private static final byte[] QEMU = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    @Test
    void textIsLowerCaseHexTwoDigitsAnOctetColonSeparated() {
        assertEquals("52:54:00:12:34:56", MacAddress.fromBytes(QEMU).toString());
        assertEquals("fe:ff:0a:b0:c0:01", MacAddress.of(0xFEFF_0AB0_C001L).toString());
        assertEquals("00:00:00:00:00:00", MacAddress.ZERO.toString());
        assertEquals("52:54:00:12:34:56", MacAddress.format(QEMU));
    }

    @Test
    void parsesColonsOrDashesWithOneOrTwoDigitsAnOctet() {
        assertEquals(MacAddress.fromBytes(QEMU), MacAddress.parse("52:54:00:12:34:56"));
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("FF-FF-FF-FF-FF-FF"));
        assertEquals("02:00:00:00:00:0a", MacAddress.parse("2:0:0:0:0:a").toString());
    }

    @Test
    void badTextNamesTheTextAndTheForm() {
        for (String bad : new String[] {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:zz",
            "525:4:00:12:34:56", "52:54::12:34:56", "+5:54:00:12:34:56"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad));
            assertEquals("bad MAC address '" + bad + "' (expected six hex octets, e.g. 52:54:00:12:34:56)",
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(null));
    }

    @Test
    void bytesAndLongRoundTripInWireOrder() {
        MacAddress m = MacAddress.fromBytes(QEMU);
        assertEquals(0x5254_0012_3456L, m.toLong());
        assertArrayEquals(QEMU, m.toBytes());
        assertEquals(m, MacAddress.of(m.toLong()));
        assertEquals(0x52, m.octet(0));
        assertEquals(0x56, m.octet(5));
        byte[] frame = new byte[14];
        m.writeTo(frame, 6);
        assertEquals(m, MacAddress.fromBytes(frame, 6));
        assertEquals(MacAddress.ZERO, MacAddress.fromBytes(frame, 0));
    }

    @Test
    void theValueIsACopyNotAView() {
        byte[] b = QEMU.clone();
        MacAddress m = MacAddress.fromBytes(b);
        b[0] = 0;
        m.toBytes()[1] = 0;
        assertEquals("52:54:00:12:34:56", m.toString());
    }

    @Test
    void wrongLengthsAndWidthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.fromBytes(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.fromBytes(new byte[7]));
        assertThrows(IndexOutOfBoundsException.class, () -> MacAddress.fromBytes(new byte[14], 9));
        assertThrows(IndexOutOfBoundsException.class, () -> MacAddress.fromBytes(new byte[14], -1));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> MacAddress.ZERO.octet(6));
    }

    @Test
    void theIgBitMakesAGroupAddressAndTheUlBitALocalOne() {
        MacAddress qemu = MacAddress.fromBytes(QEMU);
        assertFalse(qemu.isMulticast());
        assertTrue(qemu.isLocallyAdministered(), "52 = 0101 0010: U/L set");
        assertTrue(qemu.isValidUnicast());
        MacAddress ipv4Multicast = MacAddress.parse("01:00:5e:00:00:01");
        assertTrue(ipv4Multicast.isMulticast());
        assertFalse(ipv4Multicast.isLocallyAdministered());
        assertFalse(ipv4Multicast.isBroadcast());
        assertFalse(ipv4Multicast.isValidUnicast());
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(MacAddress.BROADCAST.isValidUnicast(), "all ones: a removed device reads so");
        assertTrue(MacAddress.ZERO.isZero());
        assertFalse(MacAddress.ZERO.isValidUnicast());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered(), "an Intel OUI");
    }

    @Test
    void equalAddressesAreEqualValuesAndOrderByValue() {
        assertEquals(MacAddress.parse("52:54:00:12:34:56"), MacAddress.parse("52-54-00-12-34-56"));
        assertEquals(MacAddress.parse("52:54:00:12:34:56").hashCode(), MacAddress.fromBytes(QEMU).hashCode());
        assertNotEquals(MacAddress.parse("52:54:00:12:34:57"), MacAddress.fromBytes(QEMU));
        assertTrue(MacAddress.ZERO.compareTo(MacAddress.BROADCAST) < 0);
    }
}
