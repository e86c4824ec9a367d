package org.alosj.hal.cpu;

/**
 * What hardware would push on the ring-0 stack when it enters the kernel, handed to a Java
 * {@link TrapHandler} instead: vector, error code, and the interrupted context's RIP, CS,
 * RFLAGS, RSP and SS. A handler may change the saved context (to deliver a signal, skip an
 * instruction, switch the process image); when it returns, the CPU resumes from the frame with
 * {@code iretq} semantics ({@code sysretq} semantics for SYSCALL, where RCX and R11 hold the
 * same values). The general-purpose registers are the live ones, read and written through
 * {@link Cpu}.
 *
 * <p>One frame object belongs to one CPU and is reused for every trap: copy what you keep.
 */
public final class TrapFrame {
    private int vector;
    private TrapKind kind;
    private long errorCode;
    private boolean hasErrorCode;
    private long faultAddress;
    private long rip;
    private int cs;
    private long rflags;
    private long rsp;
    private int ss;

    public void load(int vector, TrapKind kind, long errorCode, boolean hasErrorCode, long faultAddress,
            long rip, int cs, long rflags, long rsp, int ss) {
        this.vector = vector;
        this.kind = kind;
        this.errorCode = errorCode;
        this.hasErrorCode = hasErrorCode;
        this.faultAddress = faultAddress;
        this.rip = rip;
        this.cs = cs;
        this.rflags = rflags;
        this.rsp = rsp;
        this.ss = ss;
    }

    /** The IDT vector, or {@link Vector#SYSCALL}. */
    public int vector() {
        return vector;
    }

    public TrapKind kind() {
        return kind;
    }

    public long errorCode() {
        return errorCode;
    }

    public boolean hasErrorCode() {
        return hasErrorCode;
    }

    /** CR2 at the time of the trap: the linear address of a #PF. */
    public long faultAddress() {
        return faultAddress;
    }

    public long rip() {
        return rip;
    }

    public void setRip(long rip) {
        this.rip = rip;
    }

    public int cs() {
        return cs;
    }

    public void setCs(int cs) {
        this.cs = cs;
    }

    /** The interrupted context's privilege level (CS.RPL). */
    public int cpl() {
        return cs & 3;
    }

    public long rflags() {
        return rflags;
    }

    public void setRflags(long rflags) {
        this.rflags = rflags;
    }

    public long rsp() {
        return rsp;
    }

    public void setRsp(long rsp) {
        this.rsp = rsp;
    }

    public int ss() {
        return ss;
    }

    public void setSs(int ss) {
        this.ss = ss;
    }

    @Override
    public String toString() {
        return String.format("TrapFrame[vector=%d %s error=%#x cr2=%#x rip=%#x cs=%#x rflags=%#x rsp=%#x ss=%#x]",
                vector, kind, errorCode, faultAddress, rip, cs, rflags, rsp, ss);
    }
}
