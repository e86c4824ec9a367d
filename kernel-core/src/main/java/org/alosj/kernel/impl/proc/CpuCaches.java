package org.alosj.kernel.impl.proc;

import org.alosj.hal.cpu.Cpu;

/**
 * What one thread's CPU caches of its address space, its TLB and its decoded code, kept in step
 * with the changes other threads of the process make. The address space counts its changes
 * (generations); the thread applies those it has not seen before it runs guest code again, and a
 * thread changing the address space waits (a shootdown) only for threads in guest code that may
 * still use an older translation. The thread's own methods run on its own Java thread.
 */
final class CpuCaches {
    private final TaskImpl task;
    private final Cpu cpu;
    /**
     * True while the CPU model runs this thread's guest instructions (not its system calls or
     * faults, which run in the trap handler): only such a thread can use TLB entries another
     * thread's change made stale, so only it is waited for in a shootdown.
     */
    private volatile boolean inGuest;
    private volatile int seenTlbGeneration;
    private int seenCodeGeneration;

    CpuCaches(TaskImpl task) {
        this.task = task;
        this.cpu = task.cpu;
    }

    /** Applies TLB and code invalidations other threads of the process made. Own thread only. */
    void sync() {
        AddressSpace as = task.process.addressSpace();
        if (as.tlbGeneration != seenTlbGeneration) {
            seenTlbGeneration = as.tlbGeneration;
            cpu.flushTlb();
        }
        if (as.codeGeneration != seenCodeGeneration) {
            int now = as.codeGeneration;
            forget(as.framesLeftSince(seenCodeGeneration));
            seenCodeGeneration = now;
        }
    }

    /** Drops decoded code of frames that left the address space (all of it when null). */
    private void forget(long[] frames) {
        if (frames == null) {
            cpu.invalidateCode(0, task.kernel.ramTop());
            return;
        }
        for (long pa : frames) {
            cpu.invalidateCode(pa, AddressSpace.PAGE);
        }
    }

    /**
     * After exec: the CPU runs {@code as}, and forgets the TLB and the code it decoded from the
     * frames of {@code old} (null for a new CPU, which has decoded nothing).
     */
    void switchAddressSpace(AddressSpace as, long[] oldFrames) {
        cpu.setCr(3, as.pml4);
        seenTlbGeneration = as.tlbGeneration;
        seenCodeGeneration = as.codeGeneration;
        if (oldFrames != null) {
            forget(oldFrames);
        }
    }

    /** A fault was resolved: the entry may have been cached as it was (a COW page, a protection change). */
    void flushAfterFault() {
        cpu.flushTlb();
        seenTlbGeneration = task.process.addressSpace().tlbGeneration;
    }

    /**
     * Marks the thread as running guest code, then takes in changes made before: in this order,
     * a thread changing the address space either sees the mark (and waits for this thread) or
     * made its change before the check below, which then applies it.
     */
    void enterGuest() {
        inGuest = true;
        if (dirty()) {
            sync();
        }
    }

    /** The thread left guest code (a trap, or the end of its run). */
    void leaveGuest() {
        inGuest = false;
    }

    /**
     * Whether this thread may still use TLB entries older than {@code generation}: it runs guest
     * code and has not flushed since. Asks its CPU to stop at the next instruction boundary.
     */
    boolean holdsStaleTlb(int generation) {
        if (!inGuest || seenTlbGeneration - generation >= 0) {
            return false;
        }
        cpu.requestPreemption();
        return true;
    }

    /** Whether the address space changed since this CPU last caught up. */
    boolean dirty() {
        AddressSpace as = task.process.addressSpace();
        return as.tlbGeneration != seenTlbGeneration || as.codeGeneration != seenCodeGeneration;
    }
}
