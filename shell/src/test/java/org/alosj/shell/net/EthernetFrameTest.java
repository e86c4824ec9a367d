package org.alosj.shell.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    @Test
    void macAddressesParseWithColonsOrDashes() {
        assertEquals("52:54:00:12:34:56", MacAddress.parse("52:54:00:12:34:56").toString());
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.parse("FF-FF-FF-FF-FF-FF").toString());
        assertEquals("02:00:00:00:00:0a", MacAddress.parse("2:0:0:0:0:a").toString());
    }

    @Test
    void badMacAddressesNameTheTextAndTheForm() {
        for (String bad : new String[] {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:zz",
            "525:4:00:12:34:56", "52:54::12:34:56"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad));
            assertEquals("bad MAC address '" + bad + "' (expected six hex bytes, e.g. 52:54:00:12:34:56)",
                    e.getMessage());
        }
    }

    @Test
    void etherTypesAreHexFrom0x0600() {
        assertEquals(0x88b5, EthernetFrame.parseEtherType("0x88b5"));
        assertEquals(0x0800, EthernetFrame.parseEtherType("0800"));
        assertEquals(0x0600, EthernetFrame.parseEtherType("0X600"));
        for (String bad : new String[] {"0x05dc", "0x10000", "ip", "", "0x"}) {
            assertThrows(IllegalArgumentException.class, () -> EthernetFrame.parseEtherType(bad), bad);
        }
    }

    @Test
    void shortFramesArePaddedTo60Bytes() {
        MacAddress dst = MacAddress.parse("ff:ff:ff:ff:ff:ff");
        MacAddress src = MacAddress.parse("52:54:00:12:34:56");
        byte[] frame = EthernetFrame.build(dst, src, 0x88b5, "hi".getBytes(StandardCharsets.UTF_8));
        assertEquals(60, frame.length);
        byte[] head = {-1, -1, -1, -1, -1, -1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, (byte) 0x88, (byte) 0xb5, 'h', 'i', 0};
        byte[] got = new byte[head.length];
        System.arraycopy(frame, 0, got, 0, head.length);
        assertArrayEquals(head, got);
        byte[] big = EthernetFrame.build(dst, src, 0x0800, new byte[100]);
        assertEquals(114, big.length, "long payloads are not padded");
    }
}
