package org.alosj.drivers.pcnet;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MacAddressTest {
    @Test
    void formatsAsColonSeparatedLowerCaseHex() {
        assertEquals("52:54:00:12:34:56", MacAddress.format(new byte[] {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
        assertEquals("fe:ff:0a:b0:c0:01", MacAddress.format(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0A,
                (byte) 0xB0, (byte) 0xC0, 0x01}));
    }

    @Test
    void stationAddressIsUnicastAndNotZero() {
        assertTrue(MacAddress.isValidUnicast(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56}));
        assertFalse(MacAddress.isValidUnicast(new byte[6]));
        assertFalse(MacAddress.isValidUnicast(new byte[] {-1, -1, -1, -1, -1, -1}), "all ones: a removed device");
        assertFalse(MacAddress.isValidUnicast(new byte[] {0x01, 0, 0x5E, 0, 0, 1}));
        assertFalse(MacAddress.isValidUnicast(new byte[5]));
    }
}
