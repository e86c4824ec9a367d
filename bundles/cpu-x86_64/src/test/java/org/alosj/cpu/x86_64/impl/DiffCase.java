package org.alosj.cpu.x86_64.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One differential case: code bytes and the machine state they start from, and, once run, the
 * outcome on one CPU (the host's or the model's). Addresses match diffrun.c.
 */
final class DiffCase {
    static final long CODE = 0x1000_0000L;
    static final long DATA = 0x2000_0000L;
    static final int DATA_SIZE = 0x2000;
    static final long GS_BASE = 0x1000L;

    /** Architectural state as diffrun.c exchanges it: 16 GPRs, RFLAGS, an FXSAVE image, data memory. */
    static final class State {
        final long[] gpr = new long[16];
        long rflags;
        final byte[] fx = new byte[512];
        final byte[] data = new byte[DATA_SIZE];

        State copy() {
            State s = new State();
            System.arraycopy(gpr, 0, s.gpr, 0, 16);
            s.rflags = rflags;
            System.arraycopy(fx, 0, s.fx, 0, 512);
            System.arraycopy(data, 0, s.data, 0, DATA_SIZE);
            return s;
        }

        ByteBuffer fxBuffer() {
            return ByteBuffer.wrap(fx).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Where a run stopped: trap -1 means it ran off the end of the code. */
    static final class Outcome {
        int trap = -1;
        long errorCode;
        long faultAddress;
        long rip;
        State state = new State();
        /**
         * On the model: how close (in units in the last place) the exact value of a transcendental
         * result lay to a rounding boundary; +infinity when there was none.
         */
        double roundingMargin = Double.POSITIVE_INFINITY;
        /** Likewise, how close such an exact value lay to a representable value (C1 is then a close call). */
        double representableMargin = Double.POSITIVE_INFINITY;

        boolean completed() {
            return trap == -1;
        }
    }

    final String form;
    final byte[] code;
    final State in;
    /** Status flags the code leaves undefined (Intel SDM): not compared. */
    final long undefinedFlags;
    /** Registers whose final value the manuals leave undefined (bit per GPR). */
    final int undefinedRegs;
    /** Memory ranges [from, to) not compared, as offsets into the data: MXCSR_MASK (the host's is its own). */
    final java.util.List<int[]> ignored = new java.util.ArrayList<>();
    /** Human-readable description for failure messages. */
    final String description;

    DiffCase(String form, byte[] code, State in, long undefinedFlags, int undefinedRegs, String description) {
        this.form = form;
        this.code = code;
        this.in = in;
        this.undefinedFlags = undefinedFlags;
        this.undefinedRegs = undefinedRegs;
        this.description = description;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x ", x & 0xFF));
        }
        return sb.toString().trim();
    }
}
