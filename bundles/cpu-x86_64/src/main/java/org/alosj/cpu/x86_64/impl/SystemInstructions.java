package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Msr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;

/**
 * The system instructions (Intel SDM Vol. 2 and Vol. 3, chapters 2 and 4): control registers,
 * MSRs, segment loads, descriptor tables, the TSC, HLT, CLI/STI, software interrupts, SWAPGS,
 * INVLPG, CPUID, and the x87 and SSE state instructions (FXSAVE/FXRSTOR, LDMXCSR/STMXCSR), with
 * the #NM and #UD checks made before x87 or SSE state is touched. The run loop, the code cache
 * and the {@link org.alosj.hal.cpu.Cpu} API are {@link X86Core}'s; the ring transitions
 * {@link RingTransitions}'.
 */
abstract class SystemInstructions extends RingTransitions {
    private final long tscOrigin = System.nanoTime();
    /** Set by HLT; the run loop returns {@code HALTED} until an interrupt clears it. */
    boolean halted;

    SystemInstructions(MemoryBus bus) {
        super(bus);
    }

    /** The SSE unit. */
    abstract SseUnit sseUnit();

    /** The x87 unit. */
    abstract X87Unit x87Unit();

    private boolean ioplAllows() {
        return cpl <= ((rf & Rflags.IOPL) >>> 12);
    }

    /** #NM/#UD checks before touching x87 or SSE state. */
    @Override
    void execSse(Insn in) {
        checkFpuAvailable(false);
        sseUnit().execute(in);
    }

    @Override
    void execSse(Insn in, int k, int kind) {
        checkFpuAvailable(false);
        sseUnit().executeDirect(in, k, kind);
    }

    @Override
    void execX87(Insn in) {
        checkFpuAvailable(true);
        x87Unit().execute(in);
    }

    /** Raises what an SSE instruction raises when CR0 or CR4 forbid it (called by compiled traces). */
    void checkSseAvailable() {
        checkFpuAvailable(false);
    }

    private void checkFpuAvailable(boolean x87Instruction) {
        if ((cr0 & Cr.CR0_EM) != 0) {
            throw new GuestFault(x87Instruction ? Vector.NM : Vector.UD, 0);
        }
        if ((cr0 & Cr.CR0_TS) != 0) {
            throw new GuestFault(Vector.NM, 0);
        }
        if (!x87Instruction && (cr4 & Cr.CR4_OSFXSR) == 0) {
            throw new GuestFault(Vector.UD, 0);
        }
    }

    @Override
    void execOther(Insn in) {
        switch (in.op) {
            case Op.SSE: execSse(in); return;
            case Op.X87: execX87(in); return;
            case Op.CRC32: sseUnit().extensionsExecuted++; Crc32c.execute(this, in); return;
            case Op.FWAIT:
                if ((cr0 & (Cr.CR0_TS | Cr.CR0_MP)) == (Cr.CR0_TS | Cr.CR0_MP)) {
                    throw new GuestFault(Vector.NM, 0);
                }
                x87Unit().checkPendingException();
                return;
            case Op.FXSAVE:
            case Op.FXRSTOR: {
                checkFpuAvailable(true);
                long a = ea(in);
                if ((a & 15) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                if (in.op == Op.FXSAVE) {
                    mem.probeWrite(a, 512);
                    byte[] image = fpuImage(in.size == 8, x87Unit().exceptionPending());
                    // Bytes 416-511 are reserved or software's: hardware leaves them as they are.
                    for (int i = 0; i < 416; i += 8) {
                        mem.write64(a + i, java.nio.ByteBuffer.wrap(image, i, 8)
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
                    }
                } else {
                    byte[] image = new byte[512];
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < 512; i += 8) {
                        bb.putLong(i, mem.read64(a + i));
                    }
                    if ((bb.getInt(24) & ~0xFFFF) != 0) {
                        throw new GuestFault(Vector.GP, 0);
                    }
                    restoreFpuState(image);
                    x87Unit().loadPointersFrom(bb, in.size == 8);
                }
                return;
            }
            case Op.LDMXCSR: {
                checkFpuAvailable(false);
                long v = mem.read32(ea(in));
                if ((v & ~0xFFFFL) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                mxcsr = (int) v;
                return;
            }
            case Op.STMXCSR:
                checkFpuAvailable(false);
                mem.write32(ea(in), mxcsr);
                return;
            case Op.CPUID:
                CpuId.execute(r);
                return;
            case Op.RDTSC:
                checkTsc();
                setTsc();
                return;
            case Op.RDTSCP:
                checkTsc();
                setTsc();
                r[Reg.RCX] = tscAux & 0xFFFF_FFFFL;
                return;
            case Op.HLT:
                requireCpl0();
                halted = true;
                return;
            case Op.CLI:
            case Op.STI:
                if (!ioplAllows()) {
                    throw new GuestFault(Vector.GP, 0);
                }
                rf = in.op == Op.CLI ? rf & ~Rflags.IF : rf | Rflags.IF;
                return;
            case Op.SYSCALL:
                syscall(in);
                return;
            case Op.SYSRET:
                sysret(in);
                return;
            case Op.INT:
                raise((int) in.imm, TrapKind.SOFTWARE_INTERRUPT, 0, false, in.next);
                return;
            case Op.INT3:
                raise(Vector.BP, TrapKind.SOFTWARE_INTERRUPT, 0, false, in.next);
                return;
            case Op.INT1:
                raise(Vector.DB, TrapKind.EXCEPTION, 0, false, in.next);
                return;
            case Op.IRET:
                iret(in);
                return;
            case Op.SWAPGS: {
                requireCpl0();
                long t = gsBase;
                gsBase = kernelGsBase;
                kernelGsBase = t;
                return;
            }
            case Op.MOV_FROM_CR:
                requireCpl0();
                r[in.rm] = cr(in.reg);
                return;
            case Op.MOV_TO_CR:
                requireCpl0();
                writeCr(in.reg, r[in.rm]);
                return;
            case Op.RDMSR: {
                requireCpl0();
                long v = readMsr((int) r[Reg.RCX]);
                r[Reg.RAX] = v & 0xFFFF_FFFFL;
                r[Reg.RDX] = v >>> 32;
                return;
            }
            case Op.WRMSR:
                requireCpl0();
                writeMsr((int) r[Reg.RCX], (r[Reg.RDX] << 32) | (r[Reg.RAX] & 0xFFFF_FFFFL));
                return;
            case Op.INVLPG:
                requireCpl0();
                mem.invalidatePage(ea(in));
                return;
            case Op.LGDT:
            case Op.LIDT: {
                requireCpl0();
                long a = ea(in);
                int limit = mem.read16(a);
                long base = mem.read64(a + 2);
                if (in.op == Op.LGDT) {
                    gdtLimit = limit;
                    gdtBase = base;
                } else {
                    idtLimit = limit;
                    idtBase = base;
                }
                return;
            }
            case Op.SGDT:
            case Op.SIDT: {
                long a = ea(in);
                mem.probeWrite(a, 10);
                mem.write16(a, in.op == Op.SGDT ? gdtLimit : idtLimit);
                mem.write64(a + 2, in.op == Op.SGDT ? gdtBase : idtBase);
                return;
            }
            case Op.MOV_FROM_SEG: {
                int[] sels = {esSel, csSel, ssSel, dsSel, fsSel, gsSel};
                writeE(in, in.size, sels[in.aux]);
                return;
            }
            case Op.MOV_TO_SEG:
                loadSegment(in.aux, (int) readE(in, 2));
                return;
            case Op.PRIVILEGED_IO:
                // No I/O-port bus is wired to this CPU: device access is the Java kernel's.
                throw new GuestFault(ioplAllows() ? Vector.UD : Vector.GP, 0);
            default:
                throw new GuestFault(Vector.UD, 0);
        }
    }

    private void checkTsc() {
        if ((cr4 & Cr.CR4_TSD) != 0 && cpl != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
    }

    private void setTsc() {
        long tsc = System.nanoTime() - tscOrigin;
        r[Reg.RAX] = tsc & 0xFFFF_FFFFL;
        r[Reg.RDX] = tsc >>> 32;
    }

    private void loadSegment(int seg, int selector) {
        long base = 0;
        if ((selector & ~3) != 0 && gdtLimit != 0 && (selector & ~7) + 7 <= gdtLimit) {
            long d = mem.readSupervisor(gdtBase + (selector & ~7), 8);
            base = ((d >>> 16) & 0xFF_FFFFL) | ((d >>> 32) & 0xFF00_0000L);
        }
        switch (seg) {
            case 0: esSel = selector; break;
            case 2: ssSel = selector; break;
            case 3: dsSel = selector; break;
            case 4: fsSel = selector; if ((selector & ~3) != 0) { fsBase = base; } break;
            default: gsSel = selector; if ((selector & ~3) != 0) { gsBase = base; } break;
        }
    }

    void writeCr(int n, long v) {
        switch (n) {
            case 0:
                if ((v & Cr.CR0_PG) != 0 && (v & Cr.CR0_PE) == 0 || (v >>> 32) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                cr0 = v | Cr.CR0_ET;
                mem.flush();
                return;
            case 2: cr2 = v; return;
            case 3: cr3 = v; mem.flush(); return;
            case 4:
                if ((v & Cr.CR4_PAE) == 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                cr4 = v;
                mem.flush();
                return;
            case 8: cr8 = v & 0xF; return;
            default: throw new GuestFault(Vector.UD, 0);
        }
    }

    long readMsr(int index) {
        switch (index) {
            case Msr.IA32_TIME_STAMP_COUNTER: return System.nanoTime() - tscOrigin;
            case Msr.IA32_EFER: return efer;
            case Msr.IA32_STAR: return star;
            case Msr.IA32_LSTAR: return lstar;
            case Msr.IA32_CSTAR: return cstar;
            case Msr.IA32_FMASK: return sfmask;
            case Msr.IA32_FS_BASE: return fsBase;
            case Msr.IA32_GS_BASE: return gsBase;
            case Msr.IA32_KERNEL_GS_BASE: return kernelGsBase;
            case Msr.IA32_TSC_AUX: return tscAux;
            default: throw new GuestFault(Vector.GP, 0);
        }
    }

    void writeMsr(int index, long v) {
        switch (index) {
            case Msr.IA32_EFER:
                // LMA follows LME while paging is on; this CPU never leaves long mode.
                efer = (v & (Cr.EFER_SCE | Cr.EFER_NXE)) | Cr.EFER_LME | Cr.EFER_LMA;
                mem.flush();
                return;
            case Msr.IA32_STAR: star = v; return;
            case Msr.IA32_LSTAR: requireCanonical(v); lstar = v; return;
            case Msr.IA32_CSTAR: requireCanonical(v); cstar = v; return;
            case Msr.IA32_FMASK: sfmask = v & 0xFFFF_FFFFL; return;
            case Msr.IA32_FS_BASE: requireCanonical(v); fsBase = v; return;
            case Msr.IA32_GS_BASE: requireCanonical(v); gsBase = v; return;
            case Msr.IA32_KERNEL_GS_BASE: requireCanonical(v); kernelGsBase = v; return;
            case Msr.IA32_TSC_AUX: tscAux = v & 0xFFFF_FFFFL; return;
            default: throw new GuestFault(Vector.GP, 0);
        }
    }

    private static void requireCanonical(long v) {
        if (!Mmu.canonical(v)) {
            throw new GuestFault(Vector.GP, 0);
        }
    }

    /** The FXSAVE image: 64-bit pointers when {@code wide}, the x87 pointers when {@code pointers}. */
    byte[] fpuImage(boolean wide, boolean pointers) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        x87Unit().saveTo(bb, wide, pointers);
        bb.putInt(24, mxcsr);
        bb.putInt(28, 0xFFFF);
        for (int i = 0; i < 16; i++) {
            bb.putLong(160 + 16 * i, xmm[2 * i]);
            bb.putLong(168 + 16 * i, xmm[2 * i + 1]);
        }
        return bb.array();
    }
}
