package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.pci.BarType;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.testkit.ProbeFunction;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a driver gets for a BAR: offsets into the device's range, and nothing outside it. */
class BarWindowsTest {
    private TestPc pc;
    private IoWindow io;
    private MmioWindow mmio;

    @BeforeEach
    void powerOn() {
        pc = TestPc.withRamMiB(16);
        ProbeFunction probe = ProbeFunction.named("probe").io(0, 32).memory(1, BarType.MEMORY32, 4096).build();
        pc.board.pci().plug(probe, 3, 0);
        PciEnumerator enumerator = new PciEnumerator(new PciConfigAccess(pc.ports()));
        enumerator.configure(new PciAddress(0, 3, 0));
        io = new IoWindow(pc.ports(), (int) probe.barAddress(0), 32);
        mmio = new MmioWindow(pc.memory(), probe.barAddress(1), 4096);
    }

    @AfterEach
    void powerOff() {
        pc.close();
    }

    @Test
    void offsetsAreRelativeToTheBar() {
        assertEquals(ProbeFunction.signature(0, 0x1C), io.in32(0x1C));
        assertEquals(ProbeFunction.signature(0, 0x10) & 0xFFFF, io.in16(0x10));
        assertEquals(ProbeFunction.signature(0, 0x1F) & 0xFF, io.in8(0x1F));
        assertEquals(ProbeFunction.signature(1, 0xFFC), mmio.read32(0xFFC));
        assertEquals(ProbeFunction.signature(1, 0x20) & 0xFF, mmio.read8(0x20));
    }

    @Test
    void accessesOutsideTheBarAreRefusedWithTheOffset() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> io.in32(0x1E));
        assertTrue(e.getMessage().contains("0x1e") && e.getMessage().contains("32-byte"), e::getMessage);
        assertThrows(IndexOutOfBoundsException.class, () -> io.out8(32, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> io.in8(-1));
        IndexOutOfBoundsException m = assertThrows(IndexOutOfBoundsException.class, () -> mmio.read64(0xFFC));
        assertTrue(m.getMessage().contains("0xffc") && m.getMessage().contains("4096-byte"), m::getMessage);
        assertThrows(IndexOutOfBoundsException.class, () -> mmio.write32(4096, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> mmio.read16(-2));
    }

    @Test
    void burstsReadAndStayInsideTheBar() {
        byte[] got = new byte[16];
        mmio.read(0xFF0, got, 0, 16);
        for (int i = 0; i < 16; i++) {
            assertEquals(ProbeFunction.signature(1, 0xFF0 + i) & 0xFF, got[i] & 0xFF, "byte " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> mmio.read(0xFF8, got, 0, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> mmio.write(0, got, 8, 16));
    }
}
