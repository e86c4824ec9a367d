package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring transitions (Intel SDM Vol. 3, chapter 6, and SYSCALL/SYSRET, IRETQ): an exception,
 * interrupt or INT n enters ring 0 through the Java handler registered for its vector or through
 * the IDT with the TSS stack switch, with double and triple faults as the SDM's table 6-5 has
 * them; the handlers' frame, and the CPL changes that flush the TLB's view.
 */
abstract class RingTransitions extends Interpreter implements Cpu {
    private static final Logger LOG = LoggerFactory.getLogger("hw.cpu");

    final TrapHandler[] handlers = new TrapHandler[Vector.SYSCALL + 1];
    final int[] handlerDpl = new int[Vector.SYSCALL + 1];
    final TrapFrame frame = new TrapFrame();
    /** Why {@link Cpu#run} returns now, once set. */
    RunExit exit;
    /** Nesting while delivering: 1 delivering, 2 delivering #DF. */
    private int deliveryDepth;
    /** Counts entries to ring 0 (so a single step can tell the instruction made one itself). */
    int trapsDelivered;
    /** Entries to ring 0 by vector (SYSCALL last): statistics, written only by the CPU's thread. */
    final long[] trapsByVector = new long[Vector.SYSCALL + 1];

    RingTransitions(org.alosj.hal.bus.MemoryBus bus) {
        super(bus);
    }

    void exception(int vector, long errorCode, long faultRip) {
        rip = faultRip;
        raise(vector, TrapKind.EXCEPTION, errorCode, Vector.hasErrorCode(vector), faultRip);
    }

    /**
     * Enters ring 0 for {@code vector}: the Java handler if one is registered, else the IDT.
     * {@code returnRip} is what the frame saves (the faulting or the next instruction).
     */
    void raise(int vector, TrapKind kind, long errorCode, boolean hasError, long returnRip) {
        trapsDelivered++;
        trapsByVector[vector]++;
        TrapHandler h = handlers[vector];
        if (h != null && kind == TrapKind.SOFTWARE_INTERRUPT && handlerDpl[vector] < cpl) {
            // The gate check of INT n: the INT instruction itself faults.
            throw new GuestFault(Vector.GP, vector * 8L + 2);
        }
        frame.load(vector, kind, errorCode, hasError, cr2, returnRip, csSel, flagsValue(), r[Reg.RSP], ssSel);
        if (h != null) {
            TrapHandler.Resume how = h.handle(this, frame);
            resumeFrom(frame);
            if (how == TrapHandler.Resume.EXIT_RUN) {
                exit = RunExit.TRAP;
            }
            return;
        }
        deliverThroughIdt(vector, kind, errorCode, hasError, returnRip);
    }

    /** IRETQ/SYSRETQ semantics: continue at the frame's context. */
    void resumeFrom(TrapFrame f) {
        rip = f.rip();
        r[Reg.RSP] = f.rsp();
        ssSel = f.ss();
        setCs(f.cs());
        loadRflags(f.rflags());
        alignmentCheckChanged();
    }

    void deliverThroughIdt(int vector, TrapKind kind, long errorCode, boolean hasError, long returnRip) {
        int oldCpl = cpl;
        long oldRsp = r[Reg.RSP];
        int oldSs = ssSel;
        int oldCs = csSel;
        long oldFlags = flagsValue();
        deliveryDepth++;
        try {
            int ext = kind == TrapKind.SOFTWARE_INTERRUPT ? 0 : 1;
            long gateError = vector * 8L + 2 + ext;
            if (idtLimit == 0 || vector * 16L + 15 > idtLimit) {
                throw new GuestFault(Vector.GP, gateError);
            }
            long lo = mem.readSupervisor(idtBase + vector * 16L, 8);
            long hi = mem.readSupervisor(idtBase + vector * 16L + 8, 8);
            int type = (int) (lo >>> 40) & 0xF;
            int dpl = (int) (lo >>> 45) & 3;
            if (type != 0xE && type != 0xF) {
                throw new GuestFault(Vector.GP, gateError);
            }
            if (kind == TrapKind.SOFTWARE_INTERRUPT && dpl < cpl) {
                throw new GuestFault(Vector.GP, gateError);
            }
            if ((lo & (1L << 47)) == 0) {
                throw new GuestFault(Vector.NP, gateError);
            }
            int selector = (int) (lo >>> 16) & 0xFFFF;
            long target = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF_0000L) | (hi << 32);
            int ist = (int) (lo >>> 32) & 7;
            int newCpl = codeSegmentDpl(selector);
            if (newCpl > cpl) {
                throw new GuestFault(Vector.GP, selector & ~3);
            }
            long sp;
            if (ist != 0) {
                sp = mem.readSupervisor(tssBase + 0x24 + 8L * (ist - 1), 8);
            } else if (newCpl < cpl) {
                sp = mem.readSupervisor(tssBase + 4 + 8L * newCpl, 8);
            } else {
                sp = oldRsp;
            }
            sp &= ~15L;
            setCpl(newCpl);
            long[] words = {oldSs, oldRsp, oldFlags, oldCs, returnRip, errorCode};
            int n = hasError ? 6 : 5;
            mem.probeWrite(sp - 8L * n, 8 * n);
            for (int i = 0; i < n; i++) {
                sp -= 8;
                mem.write64(sp, words[i]);
            }
            r[Reg.RSP] = sp;
            if (newCpl != oldCpl) {
                ssSel = newCpl;
            }
            csSel = (selector & ~3) | newCpl;
            long f = oldFlags & ~(Rflags.TF | Rflags.NT | Rflags.RF | Rflags.VM);
            if (type == 0xE) {
                f &= ~Rflags.IF;
            }
            loadRflags(f);
            rip = target;
            alignmentCheckChanged();
        } catch (GuestFault nested) {
            setCpl(oldCpl);
            r[Reg.RSP] = oldRsp;
            csSel = oldCs;
            ssSel = oldSs;
            loadRflags(oldFlags);
            if (deliveryDepth >= 3 || vector == Vector.DF) {
                LOG.warn("triple fault: vector {} could not be delivered ({}); rip={}",
                        vector, nested.getMessage(), Long.toHexString(returnRip));
                exit = RunExit.SHUTDOWN;
                return;
            }
            if (kind == TrapKind.EXCEPTION && doubleFault(vector, nested.vector)) {
                raise(Vector.DF, TrapKind.EXCEPTION, 0, true, returnRip);
            } else if (kind == TrapKind.SOFTWARE_INTERRUPT) {
                throw nested; // INT n faults at the INT instruction
            } else {
                // A benign first event: the second fault is delivered on its own (SDM Vol. 3, table 6-5).
                raise(nested.vector, TrapKind.EXCEPTION, nested.errorCode, Vector.hasErrorCode(nested.vector),
                        returnRip);
            }
        } finally {
            deliveryDepth--;
        }
    }

    /** SDM Vol. 3, table 6-5: contributory then contributory, or #PF then #PF or contributory. */
    static boolean doubleFault(int first, int second) {
        boolean secondContributory = second == Vector.DE || second >= Vector.TS && second <= Vector.GP;
        boolean firstContributory = first == Vector.DE || first >= Vector.TS && first <= Vector.GP;
        return firstContributory && secondContributory || first == Vector.PF && (secondContributory || second == Vector.PF);
    }

    /** The DPL of the code segment {@code selector} names, from the GDT (or its RPL without one). */
    int codeSegmentDpl(int selector) {
        if (gdtLimit == 0) {
            return selector & 3;
        }
        int index = selector & ~7;
        if (index == 0 || index + 7 > gdtLimit) {
            throw new GuestFault(Vector.GP, selector & ~3);
        }
        long d = mem.readSupervisor(gdtBase + index, 8);
        if ((d & (1L << 47)) == 0) {
            throw new GuestFault(Vector.NP, selector & ~3);
        }
        return (int) (d >>> 45) & 3;
    }

    void setCpl(int newCpl) {
        if (newCpl != cpl) {
            cpl = newCpl;
            mem.flush();
        }
    }

    @Override
    void alignmentCheckChanged() {
        boolean want = (cr0 & Cr.CR0_AM) != 0 && (rf & Rflags.AC) != 0 && cpl == 3;
        if (want != mem.alignmentChecking()) {
            mem.flush();
        }
    }

    void requireCpl0() {
        if (cpl != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
    }

    void syscall(Insn in) {
        if ((efer & Cr.EFER_SCE) == 0) {
            throw new GuestFault(Vector.UD, 0);
        }
        long flags = flagsValue();
        trapsDelivered++;
        trapsByVector[Vector.SYSCALL]++;
        r[Reg.RCX] = in.next;
        r[Reg.R11] = flags & ~Rflags.RF;
        TrapHandler h = handlers[Vector.SYSCALL];
        if (h != null) {
            frame.load(Vector.SYSCALL, TrapKind.SYSCALL, 0, false, cr2, in.next, csSel, flags, r[Reg.RSP], ssSel);
            TrapHandler.Resume how = h.handle(this, frame);
            resumeFrom(frame);
            if (how == TrapHandler.Resume.EXIT_RUN) {
                exit = RunExit.TRAP;
            }
            return;
        }
        int sel = (int) (star >>> 32) & 0xFFFF;
        csSel = sel & ~3;
        ssSel = (sel + 8) & ~3;
        setCpl(0);
        loadRflags(flags & ~sfmask & ~Rflags.RF);
        rip = lstar;
        alignmentCheckChanged();
    }

    void sysret(Insn in) {
        if ((efer & Cr.EFER_SCE) == 0) {
            throw new GuestFault(Vector.UD, 0);
        }
        requireCpl0();
        long target = r[Reg.RCX];
        if (in.size == 4) {
            target &= 0xFFFF_FFFFL;
        } else if (!Mmu.canonical(target)) {
            throw new GuestFault(Vector.GP, 0);
        }
        int sel = (int) (star >>> 48) & 0xFFFF;
        csSel = ((in.size == 8 ? sel + 16 : sel) & ~3) | 3;
        ssSel = ((sel + 8) & ~3) | 3;
        loadRflags((r[Reg.R11] & 0x3C_7FD7L) | Rflags.RESERVED_1);
        setCpl(3);
        rip = target;
        alignmentCheckChanged();
    }

    void iret(Insn in) {
        if (in.size != 8) {
            throw new GuestFault(Vector.UD, 0);
        }
        long sp = r[Reg.RSP];
        long newRip = mem.read64(sp);
        int newCs = (int) mem.read64(sp + 8) & 0xFFFF;
        long newFlags = mem.read64(sp + 16);
        long newRsp = mem.read64(sp + 24);
        int newSs = (int) mem.read64(sp + 32) & 0xFFFF;
        int newCpl = newCs & 3;
        if (newCpl < cpl || (newCs & ~3) == 0) {
            throw new GuestFault(Vector.GP, newCs & ~3);
        }
        if (!Mmu.canonical(newRip)) {
            throw new GuestFault(Vector.GP, 0);
        }
        long keep = 0;
        if (cpl > 0) {
            keep |= Rflags.IOPL;
            if (cpl > ((rf & Rflags.IOPL) >>> 12)) {
                keep |= Rflags.IF;
            }
        }
        long old = flagsValue();
        loadRflags((old & keep) | (newFlags & ~keep));
        rip = newRip;
        r[Reg.RSP] = newRsp;
        ssSel = newSs;
        csSel = newCs;
        setCpl(newCpl);
        alignmentCheckChanged();
    }
}
