package org.alosj.hal.cpu;

import org.alosj.hal.irq.InterruptPin;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One x86-64 logical processor running in long mode, made by a {@link CpuFactory}. A CPU is driven by one thread at a time
 * (the task's own Java thread) through {@link #run}; only {@link #requestPreemption} may be
 * called from other threads.
 *
 * <p>A new CPU is in 64-bit mode at CPL 3 (CS 0x33, SS 0x2B) with EFER.LME/LMA/SCE/NXE set,
 * CR0.PE|ET|NE|MP, CR4.PAE|OSFXSR|OSXMMEXCPT, x87 control word 0x37F and MXCSR 0x1F80. While
 * CR0.PG is clear linear addresses are physical (a convenience of the model: real long mode
 * requires paging); setting CR0.PG with CR3 pointing at a PML4 turns on 4-level paging.
 *
 * <p>Ring 0 is Java: an exception, interrupt, {@code INT n} or SYSCALL whose vector has a
 * {@link TrapHandler} is handed to it; any other goes through the IDT in guest memory (with the
 * TSS stack switch) or IA32_LSTAR, exactly as hardware would, and the interpreter goes on
 * running the guest's own ring-0 code.
 */
@ProviderType
public interface Cpu {
    /**
     * Runs guest code until a trap handler asks to leave, the budget of instructions is spent,
     * another thread requests preemption, HLT, or a triple fault. Never throws for anything the
     * guest does.
     */
    RunExit run(long instructionBudget);

    /** Makes {@link #run} return {@link RunExit#PREEMPTED} within one decoded block. Any thread. */
    void requestPreemption();

    /** The frame of the last trap (also while a handler runs). */
    TrapFrame lastTrap();

    /** Instructions retired since the CPU was created. */
    long instructionsRetired();

    /**
     * The model's counters since the CPU was created: instructions by tier, blocks, decoded-code
     * invalidations, TLB misses and flushes, traps by vector and run exits by cause. Any thread;
     * read from another thread the counts may lag the CPU by a few blocks.
     */
    CpuStatistics statistics();

    // --- Ring 0 in Java ----------------------------------------------------------------------

    /**
     * Registers (or, with null, removes) the handler for an IDT vector or {@link Vector#SYSCALL},
     * as a gate with DPL 0: exceptions and interrupts reach it, {@code INT n} from user code
     * gets #GP, as through an IDT gate of DPL 0.
     */
    default void setTrapHandler(int vector, TrapHandler handler) {
        setTrapHandler(vector, 0, handler);
    }

    /**
     * Registers the handler for {@code vector} with the gate's descriptor privilege level: a
     * software interrupt ({@code INT n}, {@code INT3}) from a CPL above {@code dpl} raises
     * #GP(vector * 8 + 2) instead, as on hardware (Linux gives vectors 3, 4 and 0x80 DPL 3).
     */
    void setTrapHandler(int vector, int dpl, TrapHandler handler);

    /** The INTR line; interrupts are sampled between blocks while RFLAGS.IF is set. */
    void setInterruptPin(InterruptPin pin);

    // --- Architectural state -------------------------------------------------------------------

    long reg(int reg);

    void setReg(int reg, long value);

    long rip();

    void setRip(long rip);

    long rflags();

    void setRflags(long rflags);

    int cs();

    /** Loads CS; its RPL becomes the CPL. */
    void setCs(int selector);

    int ss();

    void setSs(int selector);

    int cpl();

    long fsBase();

    void setFsBase(long base);

    long gsBase();

    void setGsBase(long base);

    /** CR0, CR2, CR3, CR4 or CR8. Writing CR3 flushes the TLB, as writing CR0.PG/WP or CR4.PAE. */
    long cr(int n);

    void setCr(int n, long value);

    /** RDMSR/WRMSR as ring 0 would see them ({@link Msr}); unknown MSRs throw IllegalArgumentException. */
    long msr(int index);

    void setMsr(int index, long value);

    /** The GDTR, IDTR and TR base the CPU uses to deliver interrupts through guest memory. */
    void setDescriptorTables(long gdtBase, int gdtLimit, long idtBase, int idtLimit, long tssBase);

    /** XMM register {@code n}: bits 63:0 and 127:64. */
    long xmmLow(int n);

    long xmmHigh(int n);

    void setXmm(int n, long low, long high);

    int mxcsr();

    void setMxcsr(int mxcsr);

    /**
     * The 512-byte FXSAVE image of the x87/SSE state, to keep across a context switch: the 64-bit
     * layout (FXSAVE64), with the x87 last-instruction pointers.
     */
    byte[] saveFpuState();

    void restoreFpuState(byte[] fxsaveImage);

    // --- Memory coherence ------------------------------------------------------------------------

    /** Forgets all TLB entries (INVLPG of everything). */
    void flushTlb();

    /**
     * Drops decoded code for {@code [physicalAddress, +length)}. Guest stores are tracked; this
     * is for writes the CPU did not make (DMA, a loader writing through the bus).
     */
    void invalidateCode(long physicalAddress, long length);
}
