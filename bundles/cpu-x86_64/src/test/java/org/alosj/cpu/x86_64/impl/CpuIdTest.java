package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.alosj.hal.cpu.Cpu;
import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/**
 * CPUID advertises exactly what the model implements (Intel SDM Vol. 2, CPUID): every feature
 * bit set has its instructions among the decoded forms, and the extensions it does not
 * implement (MMX, AVX, FMA, MOVBE, BMI) are clear, so software that dispatches on CPUID
 * takes the baseline path.
 */
class CpuIdTest {
    private final FlatRamBus bus = new FlatRamBus(1 << 20);
    private final Cpu cpu = new X86CpuFactory().create(bus);

    private long[] cpuid(long leaf) {
        bus.write(0x1000, new byte[] {0x0F, (byte) 0xA2, 0x0F, 0x0B}, 0, 4);
        cpu.invalidateCode(0x1000, 4);
        cpu.setTrapHandler(Vector.UD, (c, f) -> TrapHandler.Resume.EXIT_RUN);
        cpu.setReg(Reg.RAX, leaf);
        cpu.setReg(Reg.RCX, 0);
        cpu.setRip(0x1000);
        assertEquals(RunExit.TRAP, cpu.run(100));
        return new long[] {cpu.reg(Reg.RAX), cpu.reg(Reg.RBX), cpu.reg(Reg.RCX), cpu.reg(Reg.RDX)};
    }

    @Test
    void vendorAndCacheLeavesAreQemus() {
        long[] v = cpuid(0);
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) v[1]).putInt((int) v[3]).putInt((int) v[2]);
        assertEquals("AuthenticAMD", new String(b.array(), StandardCharsets.US_ASCII));
        assertTrue(v[0] >= 1);
        assertTrue(cpuid(0x8000_0000L)[0] >= 0x8000_0006L);
        // AMD's cache descriptors (ECX: size in KiB, associativity, lines per tag, line size)
        assertEquals(64, cpuid(0x8000_0005L)[2] >>> 24, "L1 data cache KiB");
        assertEquals(64, cpuid(0x8000_0005L)[2] & 0xFF, "L1 line size");
        assertEquals(512, cpuid(0x8000_0006L)[2] >>> 16, "L2 cache KiB");
    }

    @Test
    void everyAdvertisedFeatureHasItsInstructionsDecoded() {
        Set<String> forms = new InstructionForms().enumerate().keySet();
        long[] l1 = cpuid(1);
        long[] e1 = cpuid(0x8000_0001L);
        // feature bit -> a form that must exist when it is set
        Map<String, String> needs = Map.ofEntries(
                Map.entry("EDX1:0", "X87 D9/0m"), Map.entry("EDX1:4", "RDTSC o32"), Map.entry("EDX1:5", "RDMSR o32"),
                Map.entry("EDX1:8", "CMPXCHG_DOUBLE o64 m"), Map.entry("EDX1:15", "CMOV o32 cc0 r"),
                Map.entry("EDX1:19", "NOP o32 m"), Map.entry("EDX1:24", "FXSAVE o32 m"), Map.entry("EDX1:25", "SSE 58/np r"),
                Map.entry("EDX1:26", "SSE 58/66 r"), Map.entry("ECX1:13", "CMPXCHG_DOUBLE o64 m"),
                Map.entry("ECX1:23", "POPCNT o32 r"), Map.entry("EDXE:11", "SYSCALL o32"), Map.entry("EDXE:27", "RDTSCP o32 r"),
                Map.entry("ECXE:0", "LAHF o32"), Map.entry("ECXE:5", "LZCNT o32 r"),
                // every instruction of SSE3, SSSE3 (XMM forms), SSE4.1 and SSE4.2, one form each
                Map.entry("ECX1:0", "SSE D0/66 r|SSE D0/F2 r|SSE 7C/66 r|SSE 7C/F2 r|SSE 7D/66 r|SSE 7D/F2 r|SSE 12/F3 r"
                        + "|SSE 16/F3 r|SSE 12/F2 r|SSE F0/F2 m|X87 DF/1m|X87 DB/1m|X87 DD/1m"),
                Map.entry("ECX1:9", forms("38", 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x1C,
                        0x1D, 0x1E) + "|SSE 3A 0F/66 r"),
                Map.entry("ECX1:19", forms("38", 0x10, 0x14, 0x15, 0x17, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2B,
                        0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41)
                        + "|SSE 38 2A/66 m|" + forms("3A", 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x14, 0x15, 0x17, 0x20,
                        0x21, 0x40, 0x41, 0x42) + "|SSE 3A 16/66 o64 r|SSE 3A 22/66 o64 r"),
                Map.entry("ECX1:20", "SSE 38 37/66 r|SSE 3A 60/66 o32 r|SSE 3A 61/66 o64 m|SSE 3A 62/66 r|SSE 3A 63/66 m"
                        + "|CRC32 o8 r|CRC32 o16 m|CRC32 o32 r|CRC32 o64 m"));
        check(forms, needs, "EDX1", l1[3]);
        check(forms, needs, "ECX1", l1[2]);
        check(forms, needs, "EDXE", e1[3]);
        check(forms, needs, "ECXE", e1[2]);
        // PAE (6), NX (EDXE 20) and LM (EDXE 29) are modes the MMU implements, not instructions.
        assertEquals(1L << 6, l1[3] & (1L << 6));
        assertEquals((1L << 20) | (1L << 29), e1[3] & ((1L << 20) | (1L << 29)));
    }

    private static String forms(String map, int... opcodes) {
        StringBuilder sb = new StringBuilder();
        for (int op : opcodes) {
            sb.append(sb.length() == 0 ? "" : "|").append(String.format("SSE %s %02X/66 r", map, op));
        }
        return sb.toString();
    }

    private static void check(Set<String> forms, Map<String, String> needs, String reg, long bits) {
        for (int b = 0; b < 32; b++) {
            if ((bits & (1L << b)) == 0) {
                continue;
            }
            String form = needs.get(reg + ":" + b);
            if (form == null && (reg.equals("EDX1") && b == 6 || reg.equals("EDXE") && (b == 20 || b == 29))) {
                continue;
            }
            assertTrue(form != null, reg + " bit " + b + " is advertised with no form to check");
            for (String f : form.split("\\|")) {
                assertTrue(forms.contains(f), reg + " bit " + b + " is advertised but " + f + " is not decoded");
            }
        }
    }

    @Test
    void unimplementedExtensionsAreNotAdvertised() {
        long[] l1 = cpuid(1);
        assertEquals(0, l1[3] & (1L << 23), "MMX");
        assertEquals(0, l1[2] & (1L << 28 | 1L << 12 | 1L << 22 | 1L << 27 | 1L << 1 | 1L << 25), "AVX, FMA, MOVBE, OSXSAVE, PCLMULQDQ, AES");
        long[] l7 = cpuid(7);
        assertEquals(0, l7[1] | l7[2] | l7[3], "leaf 7: BMI, AVX2, AVX-512, ERMS ...");
    }
}
