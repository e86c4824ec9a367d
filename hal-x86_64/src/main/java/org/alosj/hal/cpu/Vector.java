package org.alosj.hal.cpu;

/** Exception vectors (Intel SDM Vol. 3, table 6-1), plus the pseudo-vector for SYSCALL. */
public final class Vector {
    public static final int DE = 0;
    public static final int DB = 1;
    public static final int NMI = 2;
    public static final int BP = 3;
    public static final int OF = 4;
    public static final int BR = 5;
    public static final int UD = 6;
    public static final int NM = 7;
    public static final int DF = 8;
    public static final int TS = 10;
    public static final int NP = 11;
    public static final int SS = 12;
    public static final int GP = 13;
    public static final int PF = 14;
    public static final int MF = 16;
    public static final int AC = 17;
    public static final int MC = 18;
    public static final int XM = 19;

    /**
     * Not an IDT vector: the key a Java handler for the SYSCALL instruction is registered under.
     * SYSCALL does not go through the IDT on hardware either; without a Java handler it goes
     * through IA32_LSTAR.
     */
    public static final int SYSCALL = 256;

    /** #PF error-code bits (Intel SDM Vol. 3, 4.7). */
    public static final int PF_P = 1;
    public static final int PF_WR = 1 << 1;
    public static final int PF_US = 1 << 2;
    public static final int PF_RSVD = 1 << 3;
    public static final int PF_ID = 1 << 4;

    /** Whether hardware pushes an error code for this exception vector. */
    public static boolean hasErrorCode(int vector) {
        return vector == DF || vector == TS || vector == NP || vector == SS || vector == GP
                || vector == PF || vector == AC;
    }

    private Vector() {
    }
}
