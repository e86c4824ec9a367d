package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * /proc/cpuinfo as Linux writes it, from what the CPU model's CPUID says: vendor, family, model
 * and stepping, the brand string, cache and address sizes, and the feature flags by Linux's
 * names in Linux's order (CPUID 1 EDX, 0x80000001 EDX, 1 ECX, 0x80000001 ECX).
 */
final class CpuInfo {
    /** Linux's names of the CPUID bits, bit by bit from 0; null where Linux shows none or this table stops. */
    private static final String[] LEAF1_EDX = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
        null, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", null, "dts", "acpi", "mmx", "fxsr",
        "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"};
    private static final String[] EXT_EDX = {null, null, null, null, null, null, null, null, null, null, null,
        "syscall", null, null, null, null, null, null, null, "mp", "nx", null, "mmxext", null, null, "fxsr_opt",
        "pdpe1gb", "rdtscp", null, "lm", "3dnowext", "3dnow"};
    private static final String[] LEAF1_ECX = {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
        "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", null, "pcid", "dca", "sse4_1", "sse4_2",
        "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", null, "avx", "f16c", "rdrand",
        "hypervisor"};
    private static final String[] EXT_ECX = {"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
        "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", null, "lwp", "fma4", "tce", null,
        "nodeid_msr", null, "tbm", "topoext", "perfctr_core", "perfctr_nb", null, "bpext", "ptsc",
        "perfctr_llc", "mwaitx", null, null};

    private CpuInfo() {
    }

    /** The file's text for {@code cpus} processors; without a CPU model, what a kernel knows without CPUID. */
    static String text(int cpus, IntFunction<int[]> cpuid) {
        int[] l0 = cpuid.apply(0);
        if (l0 == null) {
            StringBuilder sb = new StringBuilder();
            for (int cpu = 0; cpu < cpus; cpu++) {
                sb.append("processor\t: ").append(cpu).append("\n\n");
            }
            return sb.toString();
        }
        int[] l1 = cpuid.apply(1);
        int maxExt = cpuid.apply(0x8000_0000)[0];
        int[] ext1 = maxExt >= 0x8000_0001 ? cpuid.apply(0x8000_0001) : new int[4];
        String vendor = ascii(l0[1], l0[3], l0[2]);
        int stepping = l1[0] & 0xF;
        int model = (l1[0] >> 4) & 0xF;
        int family = (l1[0] >> 8) & 0xF;
        if (family == 0xF) {
            family += (l1[0] >> 20) & 0xFF;
        }
        if (family >= 6) {
            model |= ((l1[0] >> 16) & 0xF) << 4;
        }
        String brand = "";
        if (maxExt >= 0x8000_0004) {
            int[] a = cpuid.apply(0x8000_0002);
            int[] b = cpuid.apply(0x8000_0003);
            int[] c = cpuid.apply(0x8000_0004);
            brand = ascii(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3], c[0], c[1], c[2], c[3]).strip();
        }
        StringBuilder flags = new StringBuilder();
        names(l1[3], LEAF1_EDX, flags);
        names(ext1[3], EXT_EDX, flags);
        names(l1[2], LEAF1_ECX, flags);
        names(ext1[2], EXT_ECX, flags);
        int clflush = ((l1[1] >> 8) & 0xFF) * 8;
        String cache = maxExt >= 0x8000_0006 ? ((cpuid.apply(0x8000_0006)[2] >>> 16) + " KB") : null;
        String addresses = null;
        if (maxExt >= 0x8000_0008) {
            int a = cpuid.apply(0x8000_0008)[0];
            addresses = (a & 0xFF) + " bits physical, " + ((a >> 8) & 0xFF) + " bits virtual";
        }
        StringBuilder sb = new StringBuilder();
        for (int cpu = 0; cpu < cpus; cpu++) {
            sb.append("processor\t: ").append(cpu).append('\n')
                    .append("vendor_id\t: ").append(vendor).append('\n')
                    .append("cpu family\t: ").append(family).append('\n')
                    .append("model\t\t: ").append(model).append('\n')
                    .append("model name\t: ").append(brand).append('\n')
                    .append("stepping\t: ").append(stepping).append('\n');
            if (cache != null) {
                sb.append("cache size\t: ").append(cache).append('\n');
            }
            sb.append("physical id\t: 0\nsiblings\t: ").append(cpus).append("\ncore id\t\t: ").append(cpu)
                    .append("\ncpu cores\t: ").append(cpus).append('\n')
                    .append("fpu\t\t: ").append((l1[3] & 1) != 0 ? "yes" : "no").append('\n')
                    .append("fpu_exception\t: ").append((l1[3] & 1) != 0 ? "yes" : "no").append('\n')
                    .append("cpuid level\t: ").append(l0[0]).append('\n')
                    .append("wp\t\t: yes\n")
                    .append("flags\t\t: ").append(flags).append('\n')
                    .append("clflush size\t: ").append(clflush).append('\n')
                    .append("cache_alignment\t: ").append(clflush).append('\n');
            if (addresses != null) {
                sb.append("address sizes\t: ").append(addresses).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void names(int bits, String[] names, StringBuilder out) {
        for (int bit = 0; bit < 32; bit++) {
            if ((bits & (1 << bit)) != 0 && bit < names.length && names[bit] != null) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(names[bit]);
            }
        }
    }

    /** Registers as the bytes of a string, little-endian as CPUID lays vendor and brand out. */
    private static String ascii(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        String s = new String(b.array(), StandardCharsets.US_ASCII);
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
