package org.alosj.shell.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.alosj.kernel.pci.PciAddress;
import org.junit.jupiter.api.Test;

/** What the real lspci prints only on a live system (sysfs): drivers, modules, BAR sizes. */
class LspciTest {
    static PciFunctionView pcnet(String driver, List<String> modules, long[] sizes) throws IOException {
        byte[] config = DumpFile.parse(LspciVsRealLspciTest.resource("00-02.0_1022_2000.drivers.txt"));
        return new PciFunctionView(PciAddress.parse("00:02.0"), config, driver, modules, sizes);
    }

    static PciIds ids() throws IOException {
        return PciIds.parse(new StringReader(PciIdsTest.SAMPLE));
    }

    static String lspci(PciFunctionView f, String... args) throws IOException {
        return new Lspci(ids(), LspciOptions.parse(List.of(args))).format(List.of(f));
    }

    @Test
    void kShowsTheDriverInUseAndTheCandidatesAsKernelModules() throws IOException {
        assertEquals("""
                00:02.0 Ethernet controller: Advanced Micro Devices, Inc. [AMD] 79c970 [PCnet32 LANCE] (rev 10)
                \tKernel driver in use: pcnet32
                \tKernel modules: pcnet32, pcnet-legacy
                """, lspci(pcnet("pcnet32", List.of("pcnet32", "pcnet-legacy"), null), "-k"));
        assertEquals("00:02.0 Ethernet controller: Advanced Micro Devices, Inc. [AMD] 79c970 [PCnet32 LANCE] (rev 10)\n",
                lspci(pcnet(null, List.of(), null), "-k"), "no driver and no candidates: no lines, as lspci");
    }

    @Test
    void vWithSizesPrintsThemAsLinuxDoesAndEndsWithTheDriver() throws IOException {
        long[] sizes = {32, 32, 0, 0, 0, 0, 256 * 1024};
        assertEquals("""
                00:02.0 Ethernet controller: Advanced Micro Devices, Inc. [AMD] 79c970 [PCnet32 LANCE] (rev 10)
                \tFlags: bus master, medium devsel, latency 0, IRQ 10
                \tI/O ports at c080 [size=32]
                \tMemory at febc4000 (32-bit, non-prefetchable) [size=32]
                \tExpansion ROM at fea80000 [disabled] [size=256K]
                \tKernel driver in use: pcnet32
                \tKernel modules: pcnet32

                """, lspci(pcnet("pcnet32", List.of("pcnet32"), sizes), "-v"));
    }

    @Test
    void sizesUseTheLargestUnitThatDividesExactly() {
        StringBuilder b = new StringBuilder();
        for (long s : new long[] {32, 1024, 4096, 1536, 1 << 20, 3L << 30, 1L << 40}) {
            Lspci.size(b, s);
        }
        assertEquals(" [size=32] [size=1K] [size=4K] [size=1536] [size=1M] [size=3G] [size=1T]", b.toString());
    }

    @Test
    void optionsBundleAndTakeAttachedValues() {
        LspciOptions o = LspciOptions.parse(List.of("-vnnk", "-s02.0", "-d", "1022:"));
        assertEquals(2, o.numeric());
        assertEquals(1, o.verbose());
        assertEquals(true, o.kernel());
        assertEquals(new LspciOptions.SlotFilter(-1, 2, 0), o.slot());
        assertEquals(new LspciOptions.IdFilter(0x1022, -1, -1, -1), o.ids());
        assertEquals(3, LspciOptions.parse(List.of("-xxx")).hex());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertEquals("lspci: -s: Invalid slot number",
                assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-s", "zz"))).getMessage());
        assertEquals("lspci: -s: Invalid function number",
                assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-s", "2.8"))).getMessage());
        assertEquals("lspci: option requires an argument -- 'i'",
                assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-i"))).getMessage());
        String q = assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-q"))).getMessage();
        assertEquals(true, q.startsWith("lspci: invalid option -- 'q'") && !q.contains("\n"), q);
        assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-vv")));
        assertThrows(IllegalArgumentException.class, () -> LspciOptions.parse(List.of("-d", "xyz:1")));
    }
}
