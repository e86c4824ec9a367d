package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.alosj.kernel.device.MacAddress;
import org.junit.jupiter.api.Test;

class EthsendFrameTest {
    @Test
    void etherTypesAreHexFrom0x0600() {
        assertEquals(0x88b5, NetCommands.parseEtherType("0x88b5"));
        assertEquals(0x0800, NetCommands.parseEtherType("0800"));
        assertEquals(0x0600, NetCommands.parseEtherType("0X600"));
        for (String bad : new String[] {"0x05dc", "0x10000", "ip", "", "0x"}) {
            assertThrows(IllegalArgumentException.class, () -> NetCommands.parseEtherType(bad), bad);
        }
    }

    @Test
    void shortFramesArePaddedTo60Bytes() {
        MacAddress dst = MacAddress.parse("ff:ff:ff:ff:ff:ff");
        MacAddress src = MacAddress.parse("52:54:00:12:34:56");
        byte[] frame = NetCommands.buildFrame(dst, src, 0x88b5, "hi".getBytes(StandardCharsets.UTF_8));
        assertEquals(60, frame.length);
        byte[] head = {-1, -1, -1, -1, -1, -1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, (byte) 0x88, (byte) 0xb5, 'h', 'i', 0};
        byte[] got = new byte[head.length];
        System.arraycopy(frame, 0, got, 0, head.length);
        assertArrayEquals(head, got);
        byte[] big = NetCommands.buildFrame(dst, src, 0x0800, new byte[100]);
        assertEquals(114, big.length, "long payloads are not padded");
    }
}
