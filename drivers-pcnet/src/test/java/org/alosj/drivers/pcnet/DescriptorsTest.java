package org.alosj.drivers.pcnet;

import static org.alosj.drivers.pcnet.PcnetRegisters.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DescriptorsTest {
    @Test
    void bcntIsTheNegatedLengthIn12BitsWithTheOnesNibble() {
        assertEquals(0xFA00, Descriptors.bcnt(1536)); // -1536 = 0x...FA00
        assertEquals(0xFFC4, Descriptors.bcnt(60));
        assertEquals(0xFFFF, Descriptors.bcnt(1));
        assertEquals(1536, Descriptors.bcntLength(Descriptors.bcnt(1536)));
        assertEquals(60, Descriptors.bcntLength(Descriptors.bcnt(60)));
    }

    @Test
    void bcntRejectsLengthsA12BitFieldCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Descriptors.bcnt(0));
        assertThrows(IllegalArgumentException.class, () -> Descriptors.bcnt(4096));
    }

    @Test
    void emptyReceiveDescriptorBelongsToTheChipWithItsBufferSize() {
        int rmd1 = Descriptors.rmd1ForChip(1536);
        assertEquals(0x8000_FA00, rmd1);
        assertTrue(Descriptors.ownedByChip(rmd1));
        assertEquals(0, rmd1 & (RMD1_STP | RMD1_ENP | RMD1_ERR));
    }

    @Test
    void queuedFrameIsOneBufferFromStartToEndOfPacket() {
        int tmd1 = Descriptors.tmd1ForChip(60);
        assertEquals(TMD1_OWN | TMD1_STP | TMD1_ENP | 0xFFC4, tmd1);
        assertEquals(0, tmd1 & TMD1_ADD_FCS, "MODE has DXMTFCS clear: the chip appends the FCS anyway");
    }

    @Test
    void receivedDescriptorDecodes() {
        int good = RMD1_STP | RMD1_ENP | 0xFA00;
        assertFalse(Descriptors.ownedByChip(good));
        assertTrue(Descriptors.isWholeGoodFrame(good));
        assertFalse(Descriptors.isWholeGoodFrame(good | RMD1_ERR | RMD1_CRC));
        assertFalse(Descriptors.isWholeGoodFrame(RMD1_STP | RMD1_ERR | RMD1_OFLO | RMD1_BUFF), "frame spilled over");
        assertEquals(64, Descriptors.mcnt(0x1234_0040), "MCNT is RMD2 bits 11..0; RCC/RPC above it are ignored");
        assertEquals("ERR OFLO BUFF STP", Descriptors.describeRmd1(RMD1_STP | RMD1_ERR | RMD1_OFLO | RMD1_BUFF));
        assertEquals("LCAR RTRY", Descriptors.describeTmd2(TMD2_LCAR | TMD2_RTRY));
    }

    @Test
    void ringLengthsAreEncodedAsLog2UpTo512() {
        assertEquals(5, Descriptors.ringLengthCode(32));
        assertEquals(4, Descriptors.ringLengthCode(16));
        assertEquals(0, Descriptors.ringLengthCode(1));
        assertEquals(9, Descriptors.ringLengthCode(512));
        assertThrows(IllegalArgumentException.class, () -> Descriptors.ringLengthCode(1024));
        assertThrows(IllegalArgumentException.class, () -> Descriptors.ringLengthCode(24));
        assertThrows(IllegalArgumentException.class, () -> Descriptors.ringLengthCode(0));
    }

    @Test
    void ringIndexWrapsAtTheRingSize() {
        assertEquals(1, Descriptors.next(0, 32));
        assertEquals(0, Descriptors.next(31, 32));
        assertEquals(0, Descriptors.next(15, 16));
    }

    @Test
    void initBlockHasTheSwstyle2Layout() {
        byte[] mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
        int[] w = Descriptors.initBlock(MODE_NORMAL, 32, 16, mac, -1L, 0x0012_3400L, 0x0012_3600L);
        assertEquals(7, w.length);
        assertEquals(0x4050_0000, w[0], "MODE 0, RLEN 5 in bits 23..20, TLEN 4 in bits 31..28");
        assertEquals(0x1200_5452, w[1], "PADR bytes 0..3, little-endian");
        assertEquals(0x0000_5634, w[2], "PADR bytes 4..5");
        assertEquals(-1, w[3]);
        assertEquals(-1, w[4]);
        assertEquals(0x0012_3400, w[5]);
        assertEquals(0x0012_3600, w[6]);
    }

    @Test
    void initBlockRefusesMisalignedRings() {
        byte[] mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
        assertThrows(IllegalArgumentException.class,
                () -> Descriptors.initBlock(0, 32, 16, mac, 0, 0x1008, 0x2000));
        assertThrows(IllegalArgumentException.class,
                () -> Descriptors.initBlock(0, 32, 16, mac, 0, 0x1_0000_0000L, 0x2000));
    }
}
