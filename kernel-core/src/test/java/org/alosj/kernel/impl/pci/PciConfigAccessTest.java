package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Configuration mechanism #1 through 0xCF8/0xCFC on the real i440FX. At power-on the host bridge
 * and the PIIX3 read byte for byte as QEMU's do (dumps taken through QEMU's qtest before any
 * firmware ran), whatever the access width.
 */
class PciConfigAccessTest {
    private TestPc pc;
    private PciConfigAccess config;

    @BeforeEach
    void powerOn() {
        pc = TestPc.withRamMiB(16);
        config = new PciConfigAccess(pc.ports());
    }

    @AfterEach
    void powerOff() {
        pc.close();
    }

    /** The 256 bytes of an {@code lspci -xxx} dump. */
    static byte[] dump(String resource) throws IOException {
        byte[] bytes = new byte[256];
        int seen = 0;
        try (InputStream in = PciConfigAccessTest.class.getResourceAsStream("/qemu-pci/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource /qemu-pci/" + resource);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.matches("[0-9a-f]{2}: .*")) {
                    continue;
                }
                int base = Integer.parseInt(line.substring(0, 2), 16);
                String[] hex = line.substring(4).trim().split(" ");
                for (int i = 0; i < hex.length; i++) {
                    bytes[base + i] = (byte) Integer.parseInt(hex[i], 16);
                    seen++;
                }
            }
        }
        assertEquals(256, seen, resource + " is a full dump");
        return bytes;
    }

    private byte[] readAll(PciAddress a, int width) {
        byte[] bytes = new byte[256];
        for (int off = 0; off < 256; off += width) {
            int v = config.read(a, off, width);
            for (int i = 0; i < width; i++) {
                bytes[off + i] = (byte) (v >>> (8 * i));
            }
        }
        return bytes;
    }

    @ParameterizedTest(name = "{0} ({1}) read {2} bytes at a time")
    @CsvSource({
        "00:00.0, 00-00.0_8086_1237.reset.txt, 4", "00:00.0, 00-00.0_8086_1237.reset.txt, 2",
        "00:00.0, 00-00.0_8086_1237.reset.txt, 1",
        "00:01.0, 00-01.0_8086_7000.reset.txt, 4", "00:01.0, 00-01.0_8086_7000.reset.txt, 2",
        "00:01.0, 00-01.0_8086_7000.reset.txt, 1"})
    void powerOnConfigSpaceIsQemus(String address, String reference, int width) throws IOException {
        byte[] expected = dump(reference);
        byte[] actual = readAll(PciAddress.parse(address), width);
        for (int off = 0; off < 256; off++) {
            int o = off;
            assertEquals(expected[off] & 0xFF, actual[off] & 0xFF,
                    () -> String.format("%s offset %#04x", address, o));
        }
        assertArrayEquals(expected, actual);
    }

    @Test
    void identifiesTheChipset() {
        PciAddress host = new PciAddress(0, 0, 0);
        PciAddress isa = new PciAddress(0, 1, 0);
        assertEquals(0x1237_8086, config.read(host, 0x00, 4), "i440FX PMC");
        assertEquals(0x02, config.read(host, 0x08, 1), "revision 02");
        assertEquals(0x0600, config.read(host, 0x0A, 2), "host bridge");
        assertEquals(0x7000_8086, config.read(isa, 0x00, 4), "PIIX3 ISA");
        assertEquals(0x0601, config.read(isa, 0x0A, 2), "ISA bridge");
        assertEquals(0x80, config.read(isa, 0x0E, 1), "multi-function (IDE and USB may follow)");
    }

    @Test
    void anEmptySlotReadsAllOnes() {
        PciAddress empty = new PciAddress(0, 7, 0);
        assertEquals(0xFFFF_FFFF, config.read(empty, 0x00, 4));
        assertEquals(0xFFFF, config.read(empty, 0x00, 2));
        assertEquals(0xFF, config.read(empty, 0x0E, 1));
        assertEquals(0xFFFF, config.read(new PciAddress(1, 0, 0), 0x00, 2), "there is no bus 1");
    }

    @Test
    void aByteWriteChangesOnlyThatByte() {
        PciAddress isa = new PciAddress(0, 1, 0);
        config.write(isa, 0x61, 1, 0x0B); // PIRQB route register, inside the 0x60 dword
        assertEquals(0x8080_0B80, config.read(isa, 0x60, 4));
        config.write(isa, 0x62, 2, 0x0A0A);
        assertEquals(0x0A0A_0B80, config.read(isa, 0x60, 4));
    }

    @Test
    void readOnlyRegistersIgnoreWrites() {
        PciAddress host = new PciAddress(0, 0, 0);
        config.write(host, 0x00, 4, 0x1234_5678);
        assertEquals(0x1237_8086, config.read(host, 0x00, 4));
        config.write(host, 0x3C, 1, 0x0B);
        assertEquals(0x0B, config.read(host, 0x3C, 1), "the interrupt line is scratch for software");
    }

    @Test
    void misalignedOrOutOfRangeAccessesAreRefused() {
        PciAddress host = new PciAddress(0, 0, 0);
        int[][] bad = {{2, 4}, {1, 2}, {255, 2}, {256, 1}, {-4, 4}, {0, 3}, {0, 8}};
        for (int[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> config.read(host, b[0], b[1]));
            assertTrue(e.getMessage().contains("offset " + b[0]) && e.getMessage().contains("size " + b[1]),
                    e::getMessage);
            assertThrows(IllegalArgumentException.class, () -> config.write(host, b[0], b[1], 0));
        }
    }
}
