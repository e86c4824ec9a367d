package org.alosj.hal.cpu;

/** Control-register and EFER bits (Intel SDM Vol. 3, 2.5 and 2.2.1). */
public final class Cr {
    public static final long CR0_PE = 1L << 0;
    public static final long CR0_MP = 1L << 1;
    public static final long CR0_EM = 1L << 2;
    public static final long CR0_TS = 1L << 3;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_NE = 1L << 5;
    public static final long CR0_WP = 1L << 16;
    public static final long CR0_AM = 1L << 18;
    public static final long CR0_NW = 1L << 29;
    public static final long CR0_CD = 1L << 30;
    public static final long CR0_PG = 1L << 31;

    /** Time Stamp Disable: RDTSC/RDTSCP are privileged. */
    public static final long CR4_TSD = 1L << 2;
    public static final long CR4_PAE = 1L << 5;
    public static final long CR4_PGE = 1L << 7;
    public static final long CR4_OSFXSR = 1L << 9;
    public static final long CR4_OSXMMEXCPT = 1L << 10;

    public static final long EFER_SCE = 1L << 0;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    public static final long EFER_NXE = 1L << 11;

    private Cr() {
    }
}
