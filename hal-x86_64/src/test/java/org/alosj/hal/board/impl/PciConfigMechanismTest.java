package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.Cf8;
import org.alosj.hal.pci.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration mechanism #1 of the i440FX (PCI Local Bus spec 3.0, 3.2.2.3.2) and the
 * chipset's own configuration spaces, byte for byte against QEMU 7.2's {@code pc} machine
 * (dumps in {@code src/test/resources/board}, from /work/shared/reference/qemu-pci).
 */
class PciConfigMechanismTest {
    static final int HOST_BRIDGE = Cf8.devfn(0, 0);
    static final int ISA_BRIDGE = Cf8.devfn(1, 0);

    private PcMachine machine;
    private IoPortSpace ports;
    private Cf8 cfg;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        cfg = new Cf8(ports);
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    /** The 256 bytes of an {@code lspci -xxx} dump (lines "00: 86 80 …"). */
    static byte[] lspciDump(String resource) throws IOException {
        try (InputStream in = PciConfigMechanismTest.class.getResourceAsStream("/board/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource board/" + resource);
            }
            byte[] config = new byte[256];
            int lines = 0;
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.matches("^[0-9a-f]{2}: .*")) {
                    continue;
                }
                int base = Integer.parseInt(line.substring(0, 2), 16);
                String[] bytes = line.substring(4).trim().split(" ");
                assertEquals(16, bytes.length, "line " + line);
                for (int i = 0; i < 16; i++) {
                    config[base + i] = (byte) Integer.parseInt(bytes[i], 16);
                }
                lines++;
            }
            assertEquals(16, lines, resource + " is a 256-byte dump");
            return config;
        }
    }

    static void assertSameConfig(byte[] expected, byte[] actual, String what) {
        StringBuilder diff = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            if (expected[i] != actual[i]) {
                diff.append(String.format("%n  %02x: expected %02x, got %02x", i, expected[i] & 0xFF, actual[i] & 0xFF));
            }
        }
        assertTrue(diff.length() == 0, what + " differs from QEMU at" + diff);
    }

    @Test
    void configAddressLatchesOnlyDwordWritesAndReadsBack() {
        ports.outl(Cf8.CONFIG_ADDRESS, 0x8000_0810);
        assertEquals(0x8000_0810, ports.inl(Cf8.CONFIG_ADDRESS));
        ports.outb(Cf8.CONFIG_ADDRESS, 0x00);
        ports.outw(Cf8.CONFIG_ADDRESS, 0x0000);
        assertEquals(0x8000_0810, ports.inl(Cf8.CONFIG_ADDRESS), "byte and word cycles to 0xCF8 do not latch");
        ports.outl(Cf8.CONFIG_ADDRESS, 0x8000_0813);
        assertEquals(0x8000_0810, ports.inl(Cf8.CONFIG_ADDRESS), "bits 1:0 are hard-wired to 0");
    }

    @Test
    void hostBridgeIdsThroughDwordWordAndByteReads() {
        assertEquals(0x1237_8086, cfg.readl(HOST_BRIDGE, 0x00));
        assertEquals(0x8086, cfg.readw(HOST_BRIDGE, 0x00));
        assertEquals(0x1237, cfg.readw(HOST_BRIDGE, 0x02));
        assertEquals(0x86, cfg.readb(HOST_BRIDGE, 0x00));
        assertEquals(0x80, cfg.readb(HOST_BRIDGE, 0x01));
        assertEquals(0x37, cfg.readb(HOST_BRIDGE, 0x02));
        assertEquals(0x12, cfg.readb(HOST_BRIDGE, 0x03));
        assertEquals(0x0600_0002, cfg.readl(HOST_BRIDGE, 0x08), "class 0600 host bridge, rev 02");
    }

    @Test
    void withoutTheEnableBitDataPortReadsAllOnes() {
        ports.outl(Cf8.CONFIG_ADDRESS, 0x0000_0000);
        assertEquals(0xFFFF_FFFF, ports.inl(Cf8.CONFIG_DATA));
        assertEquals(0xFFFF, ports.inw(Cf8.CONFIG_DATA));
        assertEquals(0xFF, ports.inb(Cf8.CONFIG_DATA + 3));
    }

    @Test
    void emptySlotOtherBusAndHiddenFunctionReadAllOnes() {
        assertEquals(0xFFFF_FFFF, cfg.readl(Cf8.devfn(7, 0), 0x00), "no device in slot 7");
        assertEquals(0xFFFF, cfg.readw(Cf8.devfn(31, 7), 0x00));
        ports.outl(Cf8.CONFIG_ADDRESS, 0x8001_0000); // bus 1, device 0: no bridge leads there
        assertEquals(0xFFFF_FFFF, ports.inl(Cf8.CONFIG_DATA));
    }

    @Test
    void otherFunctionsAreVisibleOnlyBehindAMultiFunctionFunction0() {
        machine.pci().plug(new TestDevice("single", 1, 0x00), 5, 0);
        machine.pci().plug(new TestDevice("second", 1, 0x00), 5, 1);
        assertEquals(0x5678_1234, cfg.readl(Cf8.devfn(5, 0), 0x00));
        assertEquals(0xFFFF_FFFF, cfg.readl(Cf8.devfn(5, 1), 0x00), "function 0 says single-function");
        machine.pci().plug(new TestDevice("multi", 1, 0x80), 6, 0);
        machine.pci().plug(new TestDevice("other", 1, 0x00), 6, 3);
        assertEquals(0x5678_1234, cfg.readl(Cf8.devfn(6, 3), 0x00));
    }

    @Test
    void byteWriteAtCfcPlusNChangesOnlyThatByte() {
        cfg.writeb(ISA_BRIDGE, 0x61, 0x0B);
        assertEquals(0x8080_0B80, cfg.readl(ISA_BRIDGE, 0x60));
        cfg.writew(ISA_BRIDGE, 0x62, 0x0A0A);
        assertEquals(0x0A0A_0B80, cfg.readl(ISA_BRIDGE, 0x60));
    }

    @Test
    void writesToReadOnlyIdsAreIgnored() {
        cfg.writel(HOST_BRIDGE, 0x00, 0);
        cfg.writel(HOST_BRIDGE, 0x08, 0);
        cfg.writel(HOST_BRIDGE, 0x2C, 0);
        assertEquals(0x1237_8086, cfg.readl(HOST_BRIDGE, 0x00));
        assertEquals(0x0600_0002, cfg.readl(HOST_BRIDGE, 0x08));
        assertEquals(0x1100_1AF4, cfg.readl(HOST_BRIDGE, 0x2C));
    }

    @Test
    void unalignedDataPortAccessesReadTheBytesTheyCover() {
        // An x86 "inw 0xCFD" is one cycle with byte enables 1-2 of the 0xCFC dword.
        ports.outl(Cf8.CONFIG_ADDRESS, Cf8.address(HOST_BRIDGE, 0x00));
        assertEquals(0x3780, ports.inw(Cf8.CONFIG_DATA + 1));
        assertEquals(0x1237_80, ports.inl(Cf8.CONFIG_DATA + 1) & 0xFF_FFFF);
        ports.outl(Cf8.CONFIG_ADDRESS, Cf8.address(ISA_BRIDGE, 0x60));
        ports.outw(Cf8.CONFIG_DATA + 1, 0x0B0A);
        assertEquals(0x800B_0A80, cfg.readl(ISA_BRIDGE, 0x60));
    }

    @Test
    void i440fxPowerOnConfigEqualsQemu() throws IOException {
        assertSameConfig(lspciDump("00-00.0_8086_1237.reset.txt"), cfg.dump(HOST_BRIDGE), "i440FX at reset");
    }

    @Test
    void piix3PowerOnConfigEqualsQemu() throws IOException {
        assertSameConfig(lspciDump("00-01.0_8086_7000.reset.txt"), cfg.dump(ISA_BRIDGE), "PIIX3 at reset");
    }

    /**
     * SeaBIOS (command, DRAMC, PAM, SMRAM, PIRQ routes) and Linux (ACPI _DIS of the PIRQ links,
     * the PIIX3 passive-release quirk in DLC) write the chipset registers; replaying the bytes
     * they changed must leave the chipset as QEMU's dump after boot shows it.
     */
    @Test
    void firmwareAndLinuxWritesLeaveTheChipsetAsInQemu() throws IOException {
        replay(HOST_BRIDGE, "00-00.0_8086_1237.reset.txt", "00-00.0_8086_1237.txt");
        replay(ISA_BRIDGE, "00-01.0_8086_7000.reset.txt", "00-01.0_8086_7000.txt");
    }

    private void replay(int devfn, String reset, String booted) throws IOException {
        byte[] before = lspciDump(reset);
        byte[] after = lspciDump(booted);
        for (int i = 0; i < 256; i++) {
            if (before[i] != after[i]) {
                cfg.writeb(devfn, i, after[i] & 0xFF);
            }
        }
        assertSameConfig(after, cfg.dump(devfn), booted);
    }
}
