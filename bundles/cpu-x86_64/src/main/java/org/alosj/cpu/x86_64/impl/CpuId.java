package org.alosj.cpu.x86_64.impl;

import java.nio.charset.StandardCharsets;
import org.alosj.hal.cpu.Reg;

/**
 * CPUID: an honest baseline. Only what this model implements is advertised (x87, TSC, MSR, PAE,
 * CX8, CMOV, CLFLUSH, FXSR, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, CX16, POPCNT, SYSCALL, NX, RDTSCP,
 * LM, LAHF, LZCNT); no MMX, AVX, BMI. The vendor and signature are those of QEMU's TCG CPU
 * models ("AuthenticAMD", qemu64's family 15, model 107, stepping 1), with its cache descriptions in
 * leaves 0x80000005/6: software that dispatches on CPUID (glibc's string functions and cache-size
 * thresholds) knows such a CPU and takes the paths the advertised features allow, as under QEMU.
 */
final class CpuId {
    private static final String VENDOR = "AuthenticAMD";
    private static final String BRAND = "ALOS/J x86-64 CPU model";

    // CPUID.01H:EDX
    private static final int EDX_FPU = 1;
    private static final int EDX_TSC = 1 << 4;
    private static final int EDX_MSR = 1 << 5;
    private static final int EDX_PAE = 1 << 6;
    private static final int EDX_CX8 = 1 << 8;
    private static final int EDX_CMOV = 1 << 15;
    private static final int EDX_CLFSH = 1 << 19;
    private static final int EDX_FXSR = 1 << 24;
    private static final int EDX_SSE = 1 << 25;
    private static final int EDX_SSE2 = 1 << 26;
    // CPUID.01H:ECX
    private static final int ECX_SSE3 = 1;
    private static final int ECX_SSSE3 = 1 << 9;
    private static final int ECX_CX16 = 1 << 13;
    private static final int ECX_SSE41 = 1 << 19;
    private static final int ECX_SSE42 = 1 << 20;
    private static final int ECX_POPCNT = 1 << 23;
    // CPUID.80000001H
    private static final int EXT_ECX_LAHF_LM = 1;
    private static final int EXT_ECX_ABM_LZCNT = 1 << 5;
    private static final int EXT_EDX_SYSCALL = 1 << 11;
    private static final int EXT_EDX_NX = 1 << 20;
    private static final int EXT_EDX_RDTSCP = 1 << 27;
    private static final int EXT_EDX_LM = 1 << 29;

    private CpuId() {
    }

    static void execute(long[] r) {
        int leaf = (int) r[Reg.RAX];
        int a = 0;
        int b = 0;
        int c = 0;
        int d = 0;
        switch (leaf) {
            case 0: {
                a = 1;
                byte[] v = VENDOR.getBytes(StandardCharsets.US_ASCII);
                b = word(v, 0);
                d = word(v, 4);
                c = word(v, 8);
                break;
            }
            case 1:
                a = 0x0006_0FB1; // family 0xF, model 0x6B (extended model 6, model 0xB), stepping 1
                b = 8 << 8 | 1 << 16; // CLFLUSH line 64 bytes, one logical processor
                c = ECX_SSE3 | ECX_SSSE3 | ECX_CX16 | ECX_SSE41 | ECX_SSE42 | ECX_POPCNT;
                d = EDX_FPU | EDX_TSC | EDX_MSR | EDX_PAE | EDX_CX8 | EDX_CMOV | EDX_CLFSH | EDX_FXSR | EDX_SSE | EDX_SSE2;
                break;
            case 0x8000_0000:
                a = 0x8000_0008;
                break;
            case 0x8000_0001:
                c = EXT_ECX_LAHF_LM | EXT_ECX_ABM_LZCNT;
                d = EXT_EDX_SYSCALL | EXT_EDX_NX | EXT_EDX_RDTSCP | EXT_EDX_LM;
                break;
            case 0x8000_0002:
            case 0x8000_0003:
            case 0x8000_0004: {
                byte[] brand = new byte[48];
                byte[] s = BRAND.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(s, 0, brand, 0, s.length);
                int o = (leaf - 0x8000_0002) * 16;
                a = word(brand, o);
                b = word(brand, o + 4);
                c = word(brand, o + 8);
                d = word(brand, o + 12);
                break;
            }
            case 0x8000_0005:
                // L1 TLBs: 255 entries, fully associative; L1 data and instruction caches: 64 KiB,
                // 2-way, one line per tag, 64-byte lines (AMD's encoding, as QEMU reports them)
                a = 0x01FF_01FF;
                b = 0x01FF_01FF;
                c = 0x4002_0140;
                d = 0x4002_0140;
                break;
            case 0x8000_0006:
                // L2 TLB 512 entries 4-way; L2 512 KiB and L3 1 MiB, 16-way, 64-byte lines
                b = 0x4200_4200;
                c = 0x0200_8140;
                d = 0x0080_8140;
                break;
            case 0x8000_0008:
                a = 0x3028; // 40 physical, 48 linear address bits
                break;
            default:
                break; // unknown leaves read as zero
        }
        r[Reg.RAX] = a & 0xFFFF_FFFFL;
        r[Reg.RBX] = b & 0xFFFF_FFFFL;
        r[Reg.RCX] = c & 0xFFFF_FFFFL;
        r[Reg.RDX] = d & 0xFFFF_FFFFL;
    }

    private static int word(byte[] s, int o) {
        return (s[o] & 0xFF) | (s[o + 1] & 0xFF) << 8 | (s[o + 2] & 0xFF) << 16 | (s[o + 3] & 0xFF) << 24;
    }
}
