package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Cr;
import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.cpu.x86_64.PageTables;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;

/**
 * Runs cases on the model at CPL 3, laid out as diffrun.c lays them out on the host: code at
 * {@link DiffCase#CODE} (user, read-only, executable), two data pages at {@link DiffCase#DATA}
 * and nothing mapped after them. Every exception vector has a handler that stops the run, the
 * way the host's signal handler does; vectors 3 and 4 have DPL 3 as on Linux.
 */
final class ModelCpu {
    final FlatRamBus bus = new FlatRamBus(8L << 20);
    final PageTables pt = new PageTables(bus, 0x10_0000);
    final Cpu cpu = new X86CpuFactory().create(bus);
    private final long codePhys;
    private int trap = -1;
    private long trapError;
    private long trapAddress;
    private long trapRip;
    private final long[] trapRegs = new long[16];
    private long trapFlags;

    ModelCpu() {
        codePhys = pt.map(DiffCase.CODE, PageTables.US | PageTables.RW); // RWX, as diffrun.c maps it
        pt.map(DiffCase.DATA, PageTables.US | PageTables.RW | PageTables.NX);
        pt.map(DiffCase.DATA + 0x1000, PageTables.US | PageTables.RW | PageTables.NX);
        cpu.setCr(3, pt.pml4);
        cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        for (int v = 0; v < 32; v++) {
            cpu.setTrapHandler(v, v == Vector.BP || v == Vector.OF ? 3 : 0, (c, f) -> {
                trap = f.vector();
                trapError = f.errorCode();
                trapAddress = f.faultAddress();
                trapRip = f.rip();
                for (int r = 0; r < 16; r++) {
                    trapRegs[r] = c.reg(r);
                }
                trapRegs[Reg.RSP] = f.rsp();
                trapFlags = f.rflags();
                return TrapHandler.Resume.EXIT_RUN;
            });
        }
    }

    private int runs;
    /** Cases in which a trace retired instructions. */
    int tracedCases;

    DiffCase.Outcome run(DiffCase c) {
        // Half the cases run as traces (TraceCompiler) from their first execution, a quarter as
        // compiled blocks (BlockCompiler), a quarter interpreted throughout: every execution path
        // faces the host CPU.
        int tier = runs++ & 3;
        X86Core core = (X86Core) cpu;
        core.traceOnFirstRun = (tier & 1) == 0;
        core.compileThreshold = tier == 1 ? 1 : Integer.MAX_VALUE;
        core.traceThreshold = 0;
        byte[] code = new byte[c.code.length + 2];
        System.arraycopy(c.code, 0, code, 0, c.code.length);
        code[c.code.length] = 0x0F; // UD2 marks the end
        code[c.code.length + 1] = 0x0B;
        byte[] page = new byte[0x1000];
        java.util.Arrays.fill(page, (byte) 0xCC);
        System.arraycopy(code, 0, page, 0, code.length);
        bus.write(codePhys, page, 0, page.length);
        cpu.invalidateCode(codePhys, 0x1000);
        pt.write(DiffCase.DATA, c.in.data);
        for (int r = 0; r < 16; r++) {
            cpu.setReg(r, c.in.gpr[r]);
        }
        cpu.setCs(0x33);
        cpu.setSs(0x2B);
        cpu.setRflags(c.in.rflags);
        cpu.restoreFpuState(c.in.fx);
        cpu.setFsBase(0);
        cpu.setGsBase(DiffCase.GS_BASE);
        cpu.setRip(DiffCase.CODE);
        trap = -1;
        Transcendental transcendental = ((X86Core) cpu).x87.transcendental;
        transcendental.closestMargin = Double.POSITIVE_INFINITY;
        transcendental.closestToRepresentable = Double.POSITIVE_INFINITY;
        long tracedBefore = core.traceInstructionsRetired();
        RunExit exit = cpu.run(100_000);
        if (core.traceInstructionsRetired() > tracedBefore) {
            tracedCases++;
        }
        DiffCase.Outcome o = new DiffCase.Outcome();
        o.roundingMargin = transcendental.closestMargin;
        o.representableMargin = transcendental.closestToRepresentable;
        long end = DiffCase.CODE + c.code.length;
        if (exit == RunExit.TRAP && trap == Vector.UD && trapRip == end) {
            o.trap = -1;
            o.rip = end;
            for (int r = 0; r < 16; r++) {
                o.state.gpr[r] = cpu.reg(r);
            }
            o.state.rflags = cpu.rflags();
        } else if (exit == RunExit.TRAP) {
            o.trap = trap;
            o.errorCode = trapError;
            o.faultAddress = trapAddress;
            o.rip = trapRip;
            System.arraycopy(trapRegs, 0, o.state.gpr, 0, 16);
            o.state.rflags = trapFlags;
        } else {
            o.trap = -2; // did not stop: a model bug the comparison reports
            o.rip = cpu.rip();
        }
        System.arraycopy(cpu.saveFpuState(), 0, o.state.fx, 0, 512);
        System.arraycopy(pt.read(DiffCase.DATA, DiffCase.DATA_SIZE), 0, o.state.data, 0, DiffCase.DATA_SIZE);
        return o;
    }

    static long userFlags(long f) {
        return f & (Rflags.STATUS | Rflags.DF | Rflags.IF | Rflags.AC | Rflags.ID);
    }
}
