package org.alosj.hal.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PCI function's type-0 header as the PCI Local Bus spec 3.0 (chapter 6) defines it, seen
 * through the i440FX's configuration mechanism: BAR sizing and placement, command-register
 * gating of decoding and bus mastering, status bits, capabilities and the expansion ROM.
 */
class PciFunctionTest {
    static final int SLOT = 3;
    static final int DEVFN = Cf8.devfn(SLOT, 0);
    static final int IO_BASE = 0xC000;
    static final long MEM32_BASE = 0xE000_1000L;
    static final long MEM64_BASE = 0x8_0000_0000L;
    static final long PREFETCH_BASE = 0xE100_0000L;
    static final long ROM_BASE = 0xE200_0000L;

    static final int BAR0 = 0x10;
    static final int BAR1 = 0x14;
    static final int BAR2 = 0x18;
    static final int BAR3 = 0x1C;
    static final int BAR4 = 0x20;
    static final int BAR5 = 0x24;
    static final int ROM = 0x30;
    static final int COMMAND = 0x04;
    static final int STATUS = 0x06;

    private PcMachine machine;
    private IoPortSpace ports;
    private MemoryBus memory;
    private Cf8 cfg;
    private TestDevice dev;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(64));
        ports = machine.ioPorts();
        memory = machine.memory();
        cfg = new Cf8(ports);
        dev = new TestDevice("test0");
        assertEquals(DEVFN, machine.pci().plug(dev, SLOT, 0));
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    /** Places every BAR (decoding stays off until the command register says otherwise). */
    private void placeBars() {
        cfg.writel(DEVFN, BAR0, IO_BASE);
        cfg.writel(DEVFN, BAR1, (int) MEM32_BASE);
        cfg.writel(DEVFN, BAR2, (int) MEM64_BASE);
        cfg.writel(DEVFN, BAR3, (int) (MEM64_BASE >>> 32));
        cfg.writel(DEVFN, BAR4, (int) PREFETCH_BASE);
        cfg.writel(DEVFN, ROM, (int) ROM_BASE | 1);
    }

    private int sizeBar(int register, int probe) {
        int old = cfg.readl(DEVFN, register);
        cfg.writel(DEVFN, register, probe);
        int mask = cfg.readl(DEVFN, register);
        cfg.writel(DEVFN, register, old);
        assertEquals(old, cfg.readl(DEVFN, register), "BAR restored");
        return mask;
    }

    @Test
    void headerIdentifiesTheFunction() {
        assertEquals(0x5678_1234, cfg.readl(DEVFN, 0x00));
        assertEquals(0xFF00_0001, cfg.readl(DEVFN, 0x08), "class ff0000, revision 01");
        assertEquals(0x00, cfg.readb(DEVFN, 0x0E), "type-0 header, single function");
        assertEquals(0x1100_1AF4, cfg.readl(DEVFN, 0x2C), "subsystem");
        assertEquals(0x01, cfg.readb(DEVFN, 0x3D), "INTA#");
        assertEquals(0xFF06_0100, cfg.readl(DEVFN, 0x3C), "max-lat, min-gnt, pin, line");
    }

    @Test
    void barsAtResetShowOnlyTheirTypeBits() {
        assertEquals(0x1, cfg.readl(DEVFN, BAR0), "I/O space indicator");
        assertEquals(0x0, cfg.readl(DEVFN, BAR1), "32-bit memory");
        assertEquals(0x4, cfg.readl(DEVFN, BAR2), "64-bit memory");
        assertEquals(0x0, cfg.readl(DEVFN, BAR3), "upper half of BAR2");
        assertEquals(0x8, cfg.readl(DEVFN, BAR4), "32-bit prefetchable memory");
        assertEquals(0x0, cfg.readl(DEVFN, BAR5), "unimplemented");
        assertEquals(0x0, cfg.readl(DEVFN, ROM));
    }

    @Test
    void writingAllOnesReturnsTheSizeMaskWithTheTypeBits() {
        assertEquals(~(TestDevice.IO_SIZE - 1) | 0x1, sizeBar(BAR0, -1), "32 bytes of I/O: 0xffffffe1 as QEMU's PCnet");
        assertEquals(~(TestDevice.MEM32_SIZE - 1), sizeBar(BAR1, -1));
        assertEquals(~(TestDevice.MEM64_SIZE - 1) | 0x4, sizeBar(BAR2, -1));
        assertEquals(0xFFFF_FFFF, sizeBar(BAR3, -1), "the upper half sizes too");
        assertEquals(~(TestDevice.PREFETCH_SIZE - 1) | 0x8, sizeBar(BAR4, -1));
        assertEquals(0, sizeBar(BAR5, -1), "an unimplemented BAR is hard-wired to zero");
        assertEquals(~(TestDevice.ROM_SIZE - 1), sizeBar(ROM, 0xFFFF_F800), "ROM probed as Linux does, enable bit clear");
        assertEquals(~(TestDevice.ROM_SIZE - 1) | 0x1, sizeBar(ROM, -1), "the enable bit is writable");
    }

    @Test
    void typeBitsAndAddressBitsBelowTheSizeStayReadOnly() {
        cfg.writel(DEVFN, BAR0, 0x0000_C01E);
        assertEquals(0xC001, cfg.readl(DEVFN, BAR0));
        cfg.writel(DEVFN, BAR1, 0xE000_17FF);
        assertEquals(0xE000_1000, cfg.readl(DEVFN, BAR1));
        cfg.writel(DEVFN, BAR4, 0xE100_0000);
        assertEquals(0xE100_0008, cfg.readl(DEVFN, BAR4), "prefetchable bit kept");
    }

    @Test
    void commandRegisterHasOnlyItsImplementedBitsWritable() {
        cfg.writew(DEVFN, COMMAND, 0xFFFF);
        assertEquals(0x0547, cfg.readw(DEVFN, COMMAND), "IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE");
        cfg.writew(DEVFN, COMMAND, 0);
        cfg.writeb(DEVFN, 0x0C, 0x10);
        assertEquals(0x10, cfg.readb(DEVFN, 0x0C), "cache line size is read/write");
        cfg.writeb(DEVFN, 0x3C, 0x0B);
        cfg.writeb(DEVFN, 0x3D, 0x04);
        assertEquals(0x0B, cfg.readb(DEVFN, 0x3C), "interrupt line is read/write");
        assertEquals(0x01, cfg.readb(DEVFN, 0x3D), "interrupt pin is read-only");
    }

    @Test
    void ioBarDecodesOnlyWhileCommandIoIsSet() {
        placeBars();
        assertEquals(0xFF, ports.inb(IO_BASE + 4), "no decode before PCI_COMMAND_IO");
        ports.outb(IO_BASE + 4, 0x42);
        assertTrue(dev.accesses.isEmpty(), "writes before enable are not seen: " + dev.accesses);
        assertEquals(-1, dev.barAddress(0));

        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_IO);
        assertEquals(IO_BASE, dev.barAddress(0));
        ports.outw(IO_BASE + 4, 0xBEEF);
        assertEquals(0xBEEF, ports.inw(IO_BASE + 4));
        assertEquals(List.of("BAR0 w 4 2", "BAR0 r 4 2"), dev.accesses, "the handler sees offsets into the BAR");
        assertEquals(0xFFFF_FFFFL, memory.read(MEM32_BASE, 4), "memory decode still off");

        cfg.writew(DEVFN, COMMAND, 0);
        assertEquals(0xFFFF, ports.inw(IO_BASE + 4));
    }

    @Test
    void memoryBarsDecodeOnlyWhileCommandMemoryIsSet() {
        placeBars();
        assertEquals(0xFFFF_FFFFL, memory.read(MEM32_BASE + 8, 4));
        memory.write(MEM32_BASE + 8, 4, 0x1234_5678);
        assertTrue(dev.accesses.isEmpty(), "writes before enable are dropped: " + dev.accesses);

        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY);
        memory.write(MEM32_BASE + 8, 4, 0x1234_5678);
        assertEquals(0x1234_5678L, memory.read(MEM32_BASE + 8, 4));
        assertEquals(0x78, dev.mem32Regs[8] & 0xFF);
        memory.write(MEM64_BASE + 0x100, 8, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, memory.read(MEM64_BASE + 0x100, 8), "64-bit BAR above 4 GiB");
        memory.write(PREFETCH_BASE, 2, 0xCAFE);
        assertEquals(0xCAFE, memory.read(PREFETCH_BASE, 2));
        assertEquals(0xFF, ports.inb(IO_BASE), "I/O decode still off");

        cfg.writew(DEVFN, COMMAND, 0);
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, memory.read(MEM64_BASE + 0x100, 8));
    }

    @Test
    void movingABarMovesItsDecoder() {
        placeBars();
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY | PciFunction.PCI_COMMAND_IO);
        memory.write(MEM32_BASE, 4, 0xA5A5_A5A5);
        cfg.writel(DEVFN, BAR1, 0xE080_0000);
        assertEquals(0xE080_0000L, dev.barAddress(1));
        assertEquals(0xFFFF_FFFFL, memory.read(MEM32_BASE, 4), "the old window is gone");
        assertEquals(0xA5A5_A5A5L, memory.read(0xE080_0000L, 4), "the same registers at the new place");
        cfg.writel(DEVFN, BAR0, 0xD000);
        assertEquals(0xFF, ports.inb(IO_BASE));
        ports.outb(0xD001, 0x77);
        assertEquals(0x77, dev.ioRegs[1]);
    }

    @Test
    void sizingAnEnabledIoBarDoesNotDecodePastThePortSpace() {
        placeBars();
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_IO);
        cfg.writel(DEVFN, BAR0, -1);
        assertEquals(-1, dev.barAddress(0));
        cfg.writel(DEVFN, BAR0, IO_BASE);
        assertEquals(IO_BASE, dev.barAddress(0));
    }

    @Test
    void expansionRomDecodesWithItsEnableBitAndMemorySpace() {
        placeBars();
        assertEquals(0xFFFFL, memory.read(ROM_BASE, 2));
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY);
        assertEquals(0xAA55L, memory.read(ROM_BASE, 2), "ROM signature");
        byte[] image = new byte[TestDevice.ROM_IMAGE.length + 2];
        memory.read(ROM_BASE, image, 0, image.length);
        byte[] expected = new byte[image.length];
        System.arraycopy(TestDevice.ROM_IMAGE, 0, expected, 0, TestDevice.ROM_IMAGE.length);
        expected[expected.length - 2] = (byte) 0xFF;
        expected[expected.length - 1] = (byte) 0xFF;
        assertArrayEquals(expected, image, "the image, then 0xFF to the end of the ROM");
        memory.write(ROM_BASE, 1, 0);
        assertEquals(0x55, memory.read(ROM_BASE, 1), "ROM ignores writes");
        cfg.writel(DEVFN, ROM, (int) ROM_BASE);
        assertEquals(0xFFFFL, memory.read(ROM_BASE, 2), "enable bit clear: no decode");
    }

    @Test
    void dmaIsRefusedWhileBusMasteringIsOff() {
        long buffer = 0x20_0000;
        memory.write(buffer, 8, 0x1122_3344_5566_7788L);
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, dev.busMaster().read(buffer, 8));
        dev.busMaster().write(buffer, 4, 0);
        assertEquals(0x1122_3344_5566_7788L, memory.read(buffer, 8), "a refused write leaves RAM alone");
        byte[] bulk = new byte[4];
        dev.busMaster().read(buffer, bulk, 0, 4);
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, bulk);
        assertEquals(3, dev.dmaRefusals());

        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MASTER);
        assertEquals(0x1122_3344_5566_7788L, dev.busMaster().read(buffer, 8));
        dev.busMaster().write(buffer, new byte[] {1, 2, 3, 4}, 0, 4);
        assertEquals(0x1122_3344_0403_0201L, memory.read(buffer, 8));
        assertEquals(3, dev.dmaRefusals());

        cfg.writew(DEVFN, COMMAND, 0);
        dev.busMaster().write(buffer, 8, 0);
        assertEquals(0x1122_3344_0403_0201L, memory.read(buffer, 8));
    }

    @Test
    void statusErrorBitsClearOnlyWhereOnesAreWritten() {
        dev.reportStatus(0x2000 | 0x8000 | 0x0100); // master abort, parity error, data parity
        int status = cfg.readw(DEVFN, STATUS);
        assertEquals(0xA110, status, "error bits and the capability-list bit");
        cfg.writew(DEVFN, STATUS, 0x2000);
        assertEquals(0x8110, cfg.readw(DEVFN, STATUS));
        cfg.writew(DEVFN, STATUS, 0x0010 | 0x0008 | 0x0200);
        assertEquals(0x8110, cfg.readw(DEVFN, STATUS), "read-only bits ignore the write");
        cfg.writel(DEVFN, COMMAND, 0xFFFF_0000); // the classic dword write that clears them all
        assertEquals(0x0010, cfg.readw(DEVFN, STATUS));
    }

    @Test
    void capabilityListIsChainedFrom0x34() {
        assertEquals(PciFunction.PCI_STATUS_CAP_LIST, cfg.readw(DEVFN, STATUS) & PciFunction.PCI_STATUS_CAP_LIST);
        int ptr = cfg.readb(DEVFN, 0x34);
        StringBuilder chain = new StringBuilder();
        int hops = 0;
        while (ptr != 0 && hops++ < 48) {
            chain.append(String.format("%02x@%02x ", cfg.readb(DEVFN, ptr), ptr));
            ptr = cfg.readb(DEVFN, ptr + 1);
        }
        assertEquals("01@40 05@50 ", chain.toString(), "PM at 0x40, then MSI at 0x50, then the end");
        assertEquals(0x0003, cfg.readw(DEVFN, 0x42), "PMC body");
        cfg.writeb(DEVFN, 0x41, 0x00);
        assertEquals(0x50, cfg.readb(DEVFN, 0x41), "next pointers are read-only");
        cfg.writew(DEVFN, 0x52, 0xFFFF);
        assertEquals(0x0001, cfg.readw(DEVFN, 0x52), "only the MSI enable bit is writable");
    }

    @Test
    void unplugTakesTheDecodersAway() {
        placeBars();
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY | PciFunction.PCI_COMMAND_IO);
        assertEquals(0, ports.inb(IO_BASE));
        machine.pci().unplug(dev);
        assertEquals(0xFF, ports.inb(IO_BASE));
        assertEquals(0xFFFF_FFFFL, memory.read(MEM32_BASE, 4));
        assertEquals(0xFFFF_FFFF, cfg.readl(DEVFN, 0));
    }

    @Test
    void barOverRamIsNotDecodedAndRamWins() {
        memory.write(0x10_0000, 4, 0x600D_F00D);
        cfg.writel(DEVFN, BAR1, 0x0010_0000);
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY);
        assertEquals(-1, dev.barAddress(1), "a BAR over RAM loses the cycle");
        assertEquals(0x600D_F00DL, memory.read(0x10_0000, 4));
    }

    @Test
    void twoBarsAtOneAddressDecodeTheFirstOnly() {
        TestDevice other = new TestDevice("test1");
        int otherDevfn = machine.pci().plug(other, SLOT + 1, 0);
        cfg.writel(DEVFN, BAR1, (int) MEM32_BASE);
        cfg.writew(DEVFN, COMMAND, PciFunction.PCI_COMMAND_MEMORY);
        cfg.writel(otherDevfn, BAR1, (int) MEM32_BASE);
        cfg.writew(otherDevfn, COMMAND, PciFunction.PCI_COMMAND_MEMORY);
        assertEquals(MEM32_BASE, dev.barAddress(1));
        assertEquals(-1, other.barAddress(1));
        memory.write(MEM32_BASE, 1, 0x11);
        assertEquals(0x11, dev.mem32Regs[0]);
        assertEquals(0, other.mem32Regs[0]);
    }
}
