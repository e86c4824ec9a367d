package org.alosj.hal.cpu;

/** The model-specific registers this CPU implements (Intel SDM Vol. 4). */
public final class Msr {
    public static final int IA32_TIME_STAMP_COUNTER = 0x10;
    public static final int IA32_EFER = 0xC000_0080;
    public static final int IA32_STAR = 0xC000_0081;
    public static final int IA32_LSTAR = 0xC000_0082;
    public static final int IA32_CSTAR = 0xC000_0083;
    public static final int IA32_FMASK = 0xC000_0084;
    public static final int IA32_FS_BASE = 0xC000_0100;
    public static final int IA32_GS_BASE = 0xC000_0101;
    public static final int IA32_KERNEL_GS_BASE = 0xC000_0102;
    public static final int IA32_TSC_AUX = 0xC000_0103;

    private Msr() {
    }
}
