package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_IENA;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The register file as a driver probes it: APROM, RAP/RDP/BDP, RESET, DWIO, CSR/BCR defaults. */
class RegisterTest {
    @Test
    void apromHoldsTheMacHardwareIdChecksumAndWw() {
        try (Rig rig = new Rig()) {
            rig.enable();
            int[] p = new int[16];
            for (int i = 0; i < 16; i++) {
                p[i] = rig.io.inb(Rig.IO + i);
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(Rig.MAC[i] & 0xFF, p[i], "MAC byte " + i);
            }
            assertEquals(0x11, p[9], "hardware ID");
            assertEquals('W', p[14]);
            assertEquals('W', p[15]);
            int sum = 0;
            for (int i = 0; i < 12; i++) {
                sum += p[i];
            }
            sum += p[14] + p[15];
            assertEquals(sum, p[12] | p[13] << 8, "checksum of bytes 0-11, 14, 15");
            assertEquals(0x5452, rig.io.inw(Rig.IO), "word reads of the APROM");
        }
    }

    @Test
    void readingResetStopsTheChipAndTheDefaultsAreTheDatasheets() {
        try (Rig rig = new Rig()) {
            rig.enable();
            rig.softReset();
            assertEquals(CSR0_STOP, rig.csr(0));
            assertEquals(0x1003, rig.csr(88), "CSR88: part ID low, AMD 0x003");
            assertEquals(0x0262, rig.csr(89), "CSR89: part 0x2621 = Am79C970A");
            assertEquals(0x0115, rig.csr(4));
            assertEquals(0x5452, rig.csr(12), "CSR12-14 loaded from the APROM");
            assertEquals(0x1200, rig.csr(13));
            assertEquals(0x5634, rig.csr(14));
            assertEquals(0x0002, rig.bcr(2));
            assertEquals(0x9001, rig.bcr(18));
            assertEquals(0x0200, rig.bcr(20), "SWSTYLE 0, CSRPCNET");
            assertEquals(0x0200, rig.csr(58), "CSR58 aliases BCR20");
            assertEquals(0xFF06, rig.bcr(22));
            assertEquals(0x80C0, rig.bcr(4), "BCR4: link status enabled, LEDOUT set with carrier");
            rig.io.outw(Rig.IO + 0x12, 88);
            assertEquals(88, rig.io.inw(Rig.IO + 0x12), "RAP reads back");
        }
    }

    @Test
    void withoutABackendTheLinkIsDown() {
        try (Rig rig = new Rig(hub -> null)) {
            rig.enable();
            assertEquals(0x00C0, rig.bcr(4));
        }
    }

    @Test
    void swstyleSelectsTheDescriptorSizeBits() {
        try (Rig rig = new Rig()) {
            rig.enable();
            rig.bcr(20, 2);
            assertEquals(0x0302, rig.bcr(20), "SWSTYLE 2: SSIZE32 and CSRPCNET");
            rig.csr(58, 3);
            assertEquals(0x0303, rig.bcr(20), "written through CSR58");
            rig.bcr(20, 0);
            assertEquals(0x0200, rig.csr(58));
        }
    }

    @Test
    void aDwordWriteToRdpEntersDwioWhereOnlyDwordAccessesCount() {
        try (Rig rig = new Rig()) {
            rig.enable();
            rig.io.outl(Rig.IO + 0x10, 0);
            rig.io.outl(Rig.IO + 0x14, 88);
            assertEquals(88, rig.io.inl(Rig.IO + 0x14), "RAP at 0x14");
            assertEquals(0x0262_1003, rig.io.inl(Rig.IO + 0x10), "CSR88 reads the whole chip ID");
            rig.io.outl(Rig.IO + 0x14, 18);
            assertEquals(0x9081, rig.io.inl(Rig.IO + 0x1C), "BCR18.DWIO set");
            assertEquals(0xFFFF, rig.io.inw(Rig.IO + 0x12), "word accesses are ignored in DWIO");
            assertEquals(0x1200_5452, rig.io.inl(Rig.IO), "APROM as dwords");
            rig.io.outl(Rig.IO + 0x14, 0);
            rig.io.outl(Rig.IO + 0x10, CSR0_IENA);
            assertEquals(CSR0_STOP | CSR0_IENA, rig.io.inl(Rig.IO + 0x10) & 0xFFFF);
            assertEquals(0, rig.io.inl(Rig.IO + 0x18), "RESET");
            assertEquals(CSR0_STOP, rig.csr(0), "back in word I/O after S_RESET, IENA cleared");
        }
    }

    @Test
    void theMemoryBarReachesTheSameRegisters() {
        try (Rig rig = new Rig()) {
            rig.enable();
            rig.mem.writeShort(Rig.MMIO + 0x12, 88);
            assertEquals(0x1003, rig.mem.readShort(Rig.MMIO + 0x10));
            assertEquals(0x54, rig.mem.readByte(Rig.MMIO + 1));
        }
    }

    @Test
    void csrsOfTheInitGroupAreWritableOnlyWhileStopped() {
        try (Rig rig = new Rig()) {
            rig.bringUp(2, 0, 0);
            rig.csr(15, 0x8000);
            assertEquals(0, rig.csr(15), "CSR15 ignored while running");
            rig.csr(5, PcnetRegisters.CSR5_SPND);
            assertEquals(PcnetRegisters.CSR5_SPND, rig.csr(5) & PcnetRegisters.CSR5_SPND, "SPND reads back");
            rig.csr(15, 0x8000);
            assertEquals(0x8000, rig.csr(15), "writable while suspended");
            rig.csr(5, 0);
            rig.csr(0, CSR0_STOP);
            assertEquals(CSR0_STOP, rig.csr(0), "STOP clears everything else");
            rig.csr(15, 0);
            assertEquals(0, rig.csr(15));
        }
    }

    @Test
    void userInterruptCommandRaisesUintAndIntaWhileIena() {
        try (Rig rig = new Rig()) {
            rig.enable();
            rig.softReset();
            rig.csr(0, CSR0_IENA);
            assertFalse(rig.intxAsserted());
            rig.csr(4, 0x0115 | PcnetRegisters.CSR4_UINTCMD);
            assertTrue((rig.csr(4) & PcnetRegisters.CSR4_UINT) != 0);
            assertTrue((rig.csr(0) & PcnetRegisters.CSR0_INTR) != 0);
            assertTrue(rig.intxAsserted());
            rig.csr(4, 0x0115 | PcnetRegisters.CSR4_UINT);
            assertFalse(rig.intxAsserted(), "UINT is write-one-to-clear");
        }
    }
}
