package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.alosj.cpu.x86_64.impl.X86CpuFactory;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Msr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/**
 * Exceptions and interrupts as the SDM (Vol. 3, chapters 4 and 6) defines them: #PF with CR2
 * and the error code, #GP, #UD and #DE at the faulting RIP, delivered to Java ring 0 or through
 * an IDT in guest memory with the TSS RSP0 stack switch and IRETQ back; SYSCALL/SYSRET through
 * STAR/LSTAR/FMASK; INT n gate privilege; accessed/dirty bits and the TLB; external interrupts
 * from the 8259 pair between instructions; budget and preemption on an endless loop.
 */
class TrapsTest {
    static final long USER_CODE = 0x40_0000L;
    static final long USER_DATA = 0x60_0000L;
    static final long USER_STACK_TOP = 0x70_0000L;
    static final long KERNEL = 0xFFFF_FFFF_8000_0000L;
    static final long KERNEL_CODE = KERNEL + 0x2000;
    static final long KERNEL_DATA = KERNEL + 0x3000;
    static final long KERNEL_STACK_TOP = KERNEL + 0x5000;
    static final long TABLES = KERNEL + 0x6000; // GDT at +0, IDT at +0x100, TSS at +0x800

    /** A CPU over flat RAM with user and kernel pages mapped, stopping on every exception into Java. */
    static final class Rig {
        final FlatRamBus bus = new FlatRamBus(16L << 20);
        final PageTables pt = new PageTables(bus, 0x10_0000);
        final Cpu cpu = new X86CpuFactory().create(bus);
        final List<TrapFrame> traps = new ArrayList<>();

        Rig() {
            pt.map(USER_CODE, PageTables.US);
            pt.map(USER_DATA, PageTables.US | PageTables.RW | PageTables.NX);
            pt.map(USER_STACK_TOP - 0x1000, PageTables.US | PageTables.RW | PageTables.NX);
            pt.map(KERNEL_CODE, 0);
            pt.map(KERNEL_DATA, PageTables.RW | PageTables.NX);
            pt.map(KERNEL_STACK_TOP - 0x1000, PageTables.RW | PageTables.NX);
            pt.map(TABLES, PageTables.RW | PageTables.NX);
            cpu.setCr(3, pt.pml4);
            cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
            cpu.setReg(Reg.RSP, USER_STACK_TOP - 64);
            cpu.setRip(USER_CODE);
            for (int v = 0; v < 32; v++) {
                stopOn(v);
            }
        }

        void stopOn(int vector) {
            cpu.setTrapHandler(vector, (c, f) -> {
                traps.add(copy(f));
                return TrapHandler.Resume.EXIT_RUN;
            });
        }

        void code(long va, int... bytes) {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) bytes[i];
            }
            pt.write(va, b);
            cpu.invalidateCode(pt.physical(va), b.length);
        }

        long read64(long va) {
            return ByteBuffer.wrap(pt.read(va, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        void write64(long va, long v) {
            pt.write(va, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        TrapFrame runToTrap() {
            RunExit exit = cpu.run(10_000);
            assertEquals(RunExit.TRAP, exit, () -> "expected a trap, CPU at rip " + Long.toHexString(cpu.rip()));
            return traps.get(traps.size() - 1);
        }

        /** GDT (Linux's layout), IDT and TSS in guest memory. */
        void descriptorTables() {
            long[] gdt = {0, 0x00AF_9A00_0000_FFFFL, 0x00CF_9200_0000_FFFFL, 0x00CF_FA00_0000_FFFFL, 0,
                0x00CF_F200_0000_FFFFL, 0x00AF_FA00_0000_FFFFL};
            for (int i = 0; i < gdt.length; i++) {
                write64(TABLES + 8L * i, gdt[i]);
            }
            write64(TABLES + 0x800 + 4, KERNEL_STACK_TOP); // TSS.RSP0
            cpu.setDescriptorTables(TABLES, gdt.length * 8 - 1, TABLES + 0x100, 256 * 16 - 1, TABLES + 0x800);
        }

        void gate(int vector, long target, int dpl) {
            long lo = (target & 0xFFFF) | (0x08L << 16) | ((0x8EL | (long) dpl << 5) << 40) | ((target >>> 16) & 0xFFFF) << 48;
            write64(TABLES + 0x100 + 16L * vector, lo);
            write64(TABLES + 0x100 + 16L * vector + 8, target >>> 32);
        }
    }

    static TrapFrame copy(TrapFrame f) {
        TrapFrame t = new TrapFrame();
        t.load(f.vector(), f.kind(), f.errorCode(), f.hasErrorCode(), f.faultAddress(), f.rip(), f.cs(), f.rflags(),
                f.rsp(), f.ss());
        return t;
    }

    static int[] disp32(long v) {
        return new int[] {(int) v & 0xFF, (int) (v >>> 8) & 0xFF, (int) (v >>> 16) & 0xFF, (int) (v >>> 24) & 0xFF};
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /** mov rax, [abs32] (the address sign-extends). */
    static int[] loadAbsolute(long address) {
        return concat(new int[] {0x48, 0x8B, 0x04, 0x25}, disp32(address));
    }

    static void assertPageFault(TrapFrame f, long cr2, int error, long rip) {
        assertEquals(Vector.PF, f.vector(), f::toString);
        assertEquals(cr2, f.faultAddress(), f::toString);
        assertEquals(error, f.errorCode(), f::toString);
        assertEquals(rip, f.rip(), f::toString);
        assertEquals(0x33, f.cs());
        assertTrue(f.hasErrorCode());
    }

    @Test
    void userReadOfAnUnmappedPageIsANotPresentUserReadFault() {
        Rig r = new Rig();
        r.code(USER_CODE, loadAbsolute(0x5000_0000L));
        assertPageFault(r.runToTrap(), 0x5000_0000L, Vector.PF_US, USER_CODE);
    }

    @Test
    void userWriteToAReadOnlyPageIsAPresentWriteFault() {
        Rig r = new Rig();
        r.code(USER_CODE, concat(new int[] {0x48, 0x89, 0x04, 0x25}, disp32(USER_CODE + 0x100)));
        assertPageFault(r.runToTrap(), USER_CODE + 0x100, Vector.PF_P | Vector.PF_WR | Vector.PF_US, USER_CODE);
    }

    @Test
    void userReadOfASupervisorPageIsAPresentProtectionFault() {
        Rig r = new Rig();
        r.code(USER_CODE, loadAbsolute(KERNEL_DATA));
        assertPageFault(r.runToTrap(), KERNEL_DATA, Vector.PF_P | Vector.PF_US, USER_CODE);
    }

    @Test
    void executingANoExecutePageIsAnInstructionFetchFault() {
        Rig r = new Rig();
        r.cpu.setReg(Reg.RAX, USER_DATA + 0x40);
        r.code(USER_CODE, 0xFF, 0xE0); // jmp rax
        assertPageFault(r.runToTrap(), USER_DATA + 0x40, Vector.PF_P | Vector.PF_US | Vector.PF_ID, USER_DATA + 0x40);
    }

    @Test
    void aPageFaultHandlerThatMapsThePageRestartsTheInstruction() {
        Rig r = new Rig();
        long page = 0x5000_0000L;
        r.cpu.setTrapHandler(Vector.PF, (c, f) -> {
            r.pt.map(f.faultAddress(), PageTables.US | PageTables.RW);
            r.write64(f.faultAddress() & ~0xFFFL, 0x1234_5678_9ABCL);
            return TrapHandler.Resume.CONTINUE;
        });
        r.code(USER_CODE, concat(loadAbsolute(page), new int[] {0x0F, 0x0B}));
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(USER_CODE + 8, f.rip());
        assertEquals(0x1234_5678_9ABCL, r.cpu.reg(Reg.RAX));
    }

    @Test
    void accessesSetTheAccessedAndDirtyBits() {
        Rig r = new Rig();
        long pte = r.pt.leafEntry(USER_DATA);
        assertEquals(0, pte & 0x60);
        r.code(USER_CODE, concat(loadAbsolute(USER_DATA), new int[] {0x0F, 0x0B}));
        r.runToTrap();
        assertEquals(0x20, r.pt.leafEntry(USER_DATA) & 0x60, "accessed, not dirty, after a read");
        r.cpu.setRip(USER_CODE);
        r.code(USER_CODE, concat(new int[] {0x48, 0x89, 0x04, 0x25}, disp32(USER_DATA), new int[] {0x0F, 0x0B}));
        r.runToTrap();
        assertEquals(0x60, r.pt.leafEntry(USER_DATA) & 0x60, "accessed and dirty after a write");
    }

    @Test
    void aRemappedPageIsSeenAfterTheTlbIsFlushed() {
        Rig r = new Rig();
        r.write64(USER_DATA, 111);
        r.code(USER_CODE, concat(loadAbsolute(USER_DATA), new int[] {0x0F, 0x0B}));
        r.runToTrap();
        assertEquals(111, r.cpu.reg(Reg.RAX));
        long other = r.pt.map(0x5000_0000L, PageTables.US | PageTables.RW);
        r.write64(0x5000_0000L, 222);
        r.pt.mapTo(USER_DATA, other, PageTables.US | PageTables.RW);
        r.cpu.flushTlb();
        r.cpu.setRip(USER_CODE);
        r.runToTrap();
        assertEquals(222, r.cpu.reg(Reg.RAX));
    }

    @Test
    void aNonCanonicalAddressIsAGeneralProtectionFault() {
        Rig r = new Rig();
        r.cpu.setReg(Reg.RBX, 0x0000_8000_0000_0000L);
        r.code(USER_CODE, 0x48, 0x8B, 0x03); // mov rax, [rbx]
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.GP, f.vector());
        assertEquals(0, f.errorCode());
        assertEquals(USER_CODE, f.rip());
    }

    @Test
    void privilegedInstructionsAtCpl3AreGeneralProtectionFaults() {
        int[][] programs = {{0xFA}, {0xF4}, {0x0F, 0x22, 0xD8}, {0x0F, 0x01, 0xF8}, {0x0F, 0x32}, {0xE4, 0x60}};
        for (int[] p : programs) {
            Rig r = new Rig();
            r.code(USER_CODE, p);
            TrapFrame f = r.runToTrap();
            assertEquals(Vector.GP, f.vector(), () -> "for " + java.util.Arrays.toString(p));
            assertEquals(USER_CODE, f.rip());
        }
    }

    @Test
    void unimplementedAndInvalidOpcodesAreInvalidOpcodeFaultsAtTheirRip() {
        // UD2, VZEROUPPER (VEX), PSHUFB (SSSE3), EVEX/BOUND, LOCK NOP, MOV CR5.
        int[][] programs = {{0x0F, 0x0B}, {0xC5, 0xF8, 0x77}, {0x0F, 0x38, 0x00, 0xC0}, {0x62, 0x00}, {0xF0, 0x90},
            {0x0F, 0x20, 0xE8}};
        for (int[] p : programs) {
            Rig r = new Rig();
            r.code(USER_CODE, concat(new int[] {0x90}, p));
            TrapFrame f = r.runToTrap();
            assertEquals(Vector.UD, f.vector(), () -> "for " + java.util.Arrays.toString(p));
            assertEquals(USER_CODE + 1, f.rip(), () -> "for " + java.util.Arrays.toString(p));
        }
    }

    @Test
    void divisionByZeroIsADivideErrorAtTheDivision() {
        Rig r = new Rig();
        r.cpu.setReg(Reg.RCX, 0);
        r.code(USER_CODE, 0x90, 0x48, 0xF7, 0xF1); // nop; div rcx
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.DE, f.vector());
        assertEquals(USER_CODE + 1, f.rip());
        assertEquals(TrapKind.EXCEPTION, f.kind());
    }

    @Test
    void intNReachesAUserGateAndIsAGeneralProtectionFaultOtherwise() {
        Rig r = new Rig();
        r.cpu.setTrapHandler(0x80, 3, (c, f) -> {
            r.traps.add(copy(f));
            c.setReg(Reg.RAX, 99);
            return TrapHandler.Resume.CONTINUE;
        });
        r.code(USER_CODE, 0xCD, 0x80, 0xCD, 0x81); // int 0x80; int 0x81
        TrapFrame f = r.runToTrap();
        assertEquals(2, r.traps.size());
        TrapFrame syscall = r.traps.get(0);
        assertEquals(0x80, syscall.vector());
        assertEquals(TrapKind.SOFTWARE_INTERRUPT, syscall.kind());
        assertEquals(USER_CODE + 2, syscall.rip(), "INT n saves the next instruction");
        assertEquals(99, r.cpu.reg(Reg.RAX));
        assertEquals(Vector.GP, f.vector());
        assertEquals(0x81 * 8 + 2, f.errorCode(), "IDT-referencing error code: index, IDT bit");
        assertEquals(USER_CODE + 2, f.rip(), "the INT itself faults");
    }

    @Test
    void aFaultThroughTheIdtSwitchesToRsp0AndIretqResumesUserCode() {
        Rig r = new Rig();
        r.descriptorTables();
        r.gate(Vector.PF, KERNEL_CODE, 0);
        r.cpu.setTrapHandler(Vector.PF, null);
        // Ring 0 in guest code: record CR2, the error code and RSP, skip the faulting instruction, IRETQ.
        r.code(KERNEL_CODE, concat(
                new int[] {0x0F, 0x20, 0xD0}, // mov rax, cr2
                new int[] {0x48, 0x89, 0x04, 0x25}, disp32(KERNEL_DATA), // mov [KERNEL_DATA], rax
                new int[] {0x5B}, // pop rbx (the error code)
                new int[] {0x48, 0x89, 0x1C, 0x25}, disp32(KERNEL_DATA + 8),
                new int[] {0x48, 0x89, 0x24, 0x25}, disp32(KERNEL_DATA + 16),
                new int[] {0x48, 0x83, 0x04, 0x24, 0x08}, // add qword [rsp], 8
                new int[] {0x48, 0xCF})); // iretq
        long userRsp = r.cpu.reg(Reg.RSP);
        r.code(USER_CODE, concat(loadAbsolute(0x5000_0000L),
                new int[] {0x48, 0xC7, 0xC1, 0x2A, 0, 0, 0}, // mov rcx, 42
                new int[] {0x0F, 0x0B}));
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(USER_CODE + 15, f.rip());
        assertEquals(42, r.cpu.reg(Reg.RCX), "user code resumed after IRETQ");
        assertEquals(3, r.cpu.cpl());
        assertEquals(userRsp, r.cpu.reg(Reg.RSP));
        assertEquals(0x5000_0000L, r.read64(KERNEL_DATA), "CR2");
        assertEquals(Vector.PF_US, r.read64(KERNEL_DATA + 8), "error code");
        long frame = r.read64(KERNEL_DATA + 16);
        assertEquals(KERNEL_STACK_TOP - 40, frame, "the frame sits on the TSS RSP0 stack");
        assertEquals(USER_CODE + 8, r.read64(frame), "saved RIP (advanced by the handler)");
        assertEquals(0x33, r.read64(frame + 8));
        assertEquals(userRsp, r.read64(frame + 24));
        assertEquals(0x2B, r.read64(frame + 32));
    }

    @Test
    void syscallEntersLstarAtRing0AndSysretReturns() {
        Rig r = new Rig();
        r.descriptorTables();
        r.cpu.setMsr(Msr.IA32_STAR, (0x23L << 48) | (0x08L << 32));
        r.cpu.setMsr(Msr.IA32_LSTAR, KERNEL_CODE + 0x100);
        r.cpu.setMsr(Msr.IA32_FMASK, Rflags.IF | Rflags.DF);
        r.cpu.setRflags(Rflags.IF | Rflags.DF | Rflags.CF);
        r.code(KERNEL_CODE + 0x100,
                0x49, 0x89, 0xCC, // mov r12, rcx
                0x4D, 0x89, 0xDD, // mov r13, r11
                0x9C, 0x41, 0x5E, // pushfq; pop r14
                0x48, 0xC7, 0xC0, 0x07, 0, 0, 0, // mov rax, 7
                0x48, 0x0F, 0x07); // sysretq
        r.code(USER_CODE, 0x0F, 0x05, 0x0F, 0x0B); // syscall; ud2
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(USER_CODE + 2, f.rip());
        assertEquals(7, r.cpu.reg(Reg.RAX));
        assertEquals(USER_CODE + 2, r.cpu.reg(Reg.R12), "RCX holds the return address");
        assertEquals(Rflags.IF | Rflags.DF | Rflags.CF, r.cpu.reg(Reg.R13) & (Rflags.IF | Rflags.DF | Rflags.CF), "R11 = RFLAGS");
        assertEquals(0, r.cpu.reg(Reg.R14) & (Rflags.IF | Rflags.DF), "FMASK cleared IF and DF in ring 0");
        assertEquals(0x33, r.cpu.cs());
        assertEquals(0x2B, r.cpu.ss());
        assertNotEquals(0, r.cpu.rflags() & Rflags.IF, "SYSRET restored IF from R11");
    }

    @Test
    void anEndlessLoopStopsOnItsBudgetAndOnPreemption() throws Exception {
        Rig r = new Rig();
        r.code(USER_CODE, 0xEB, 0xFE); // jmp $
        assertEquals(RunExit.BUDGET, r.cpu.run(1_000_000));
        assertTrue(r.cpu.instructionsRetired() >= 1_000_000);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.cpu.requestPreemption();
        });
        t.start();
        assertEquals(RunExit.PREEMPTED, r.cpu.run(Long.MAX_VALUE));
        t.join();
        assertEquals(USER_CODE, r.cpu.rip());
    }

    @Test
    void anIrqFromThe8259ReachesItsVectorBetweenInstructions() throws Exception {
        PcMachine machine = new PcMachine(MachineSettings.withRamMiB(16));
        try {
            IoPortSpace ports = machine.ioPorts();
            ports.outb(0x20, 0x11); // ICW1
            ports.outb(0x21, 0x20); // ICW2: IRQ 0-7 at vectors 0x20-0x27
            ports.outb(0x21, 0x04); // ICW3
            ports.outb(0x21, 0x01); // ICW4: 8086 mode
            ports.outb(0xA0, 0x11);
            ports.outb(0xA1, 0x28);
            ports.outb(0xA1, 0x02);
            ports.outb(0xA1, 0x01);
            ports.outb(0x21, 0xFD); // only IRQ 1 unmasked
            ports.outb(0xA1, 0xFF);
            Cpu cpu = new X86CpuFactory().create(machine.memory());
            List<TrapFrame> seen = new ArrayList<>();
            cpu.setTrapHandler(0x21, (c, f) -> {
                seen.add(copy(f));
                return TrapHandler.Resume.EXIT_RUN;
            });
            byte[] loop = {(byte) 0x48, (byte) 0xFF, (byte) 0xC0, (byte) 0xEB, (byte) 0xFB}; // inc rax; jmp back
            machine.memory().write(0x10000, loop, 0, loop.length);
            cpu.setRip(0x10000);
            cpu.setRflags(Rflags.IF);
            cpu.setInterruptPin(machine.interruptPin());
            assertEquals(RunExit.BUDGET, cpu.run(10_000), "nothing pending yet");
            machine.isaIrq(1).pulse();
            assertEquals(RunExit.TRAP, cpu.run(1_000_000));
            assertEquals(1, seen.size());
            TrapFrame f = seen.get(0);
            assertEquals(0x21, f.vector());
            assertEquals(TrapKind.INTERRUPT, f.kind());
            assertTrue(f.rip() == 0x10000 || f.rip() == 0x10003, () -> "an instruction boundary, got " + f);
            assertTrue(cpu.reg(Reg.RAX) > 0);
        } finally {
            machine.powerOff();
        }
    }
    @Test
    void storesIntoCodeAreSeenByTheNextFetchEvenInsideTheSameBlock() {
        Rig r = new Rig();
        r.pt.setLeafFlags(USER_CODE, PageTables.US | PageTables.RW); // writable code, as a JIT has
        // mov byte [USER_CODE + 12], 0x07 turns the "mov eax, 1" below into "mov eax, 7".
        r.code(USER_CODE, concat(
                new int[] {0xC6, 0x04, 0x25}, disp32(USER_CODE + 12), new int[] {0x07},   // 8 bytes
                new int[] {0x90, 0x90, 0x90},                                            // to offset 11
                new int[] {0xB8, 0x01, 0, 0, 0},                                         // mov eax, 1 (imm at 12)
                new int[] {0x0F, 0x0B}));
        r.runToTrap();
        assertEquals(7, r.cpu.reg(Reg.RAX), "the patched immediate, not the decoded one");
        // Run the same code again after patching it back through the bus (a loader or DMA).
        r.cpu.setRip(USER_CODE + 11);
        r.code(USER_CODE + 12, 0x05);
        r.runToTrap();
        assertEquals(5, r.cpu.reg(Reg.RAX));
    }

    @Test
    void sseWithCr0TsSetIsDeviceNotAvailable() {
        Rig r = new Rig();
        r.cpu.setCr(0, r.cpu.cr(0) | Cr.CR0_TS);
        r.code(USER_CODE, 0x66, 0x0F, 0xEF, 0xC0); // pxor xmm0, xmm0
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.NM, f.vector());
        assertEquals(USER_CODE, f.rip());
    }

    @Test
    void theSse4FormsObeyCr0AndCr4AsSseDoes() {
        int[][] forms = {
            {0x66, 0x0F, 0x38, 0x00, 0xC1},       // pshufb xmm0, xmm1
            {0x66, 0x0F, 0x3A, 0x63, 0xC1, 0x0C}, // pcmpistri xmm0, xmm1, 0x0C
            {0xF2, 0x0F, 0x7C, 0xC1},             // haddps xmm0, xmm1
        };
        for (int[] form : forms) {
            Rig ts = new Rig();
            ts.cpu.setCr(0, ts.cpu.cr(0) | Cr.CR0_TS);
            ts.code(USER_CODE, form);
            assertEquals(Vector.NM, ts.runToTrap().vector(), "CR0.TS");
            Rig em = new Rig();
            em.cpu.setCr(0, em.cpu.cr(0) | Cr.CR0_EM);
            em.code(USER_CODE, form);
            TrapFrame f = em.runToTrap();
            assertEquals(Vector.UD, f.vector(), "CR0.EM");
            assertEquals(USER_CODE, f.rip());
            Rig noFxsr = new Rig();
            noFxsr.cpu.setCr(4, noFxsr.cpu.cr(4) & ~Cr.CR4_OSFXSR);
            noFxsr.code(USER_CODE, form);
            f = noFxsr.runToTrap();
            assertEquals(Vector.UD, f.vector(), "CR4.OSFXSR clear");
            assertEquals(USER_CODE, f.rip());
        }
    }

    @Test
    void crc32IsAnIntegerInstructionGivingTheCastagnoliCheckValue() {
        Rig r = new Rig();
        // CRC32 needs no SSE state: it runs with CR0.TS and CR0.EM set.
        r.cpu.setCr(0, r.cpu.cr(0) | Cr.CR0_TS | Cr.CR0_EM);
        r.cpu.setReg(Reg.RAX, 0xFFFF_FFFF_FFFF_FFFFL);
        r.cpu.setReg(Reg.RBX, 0x3837_3635_3433_3231L); // "12345678"
        r.code(USER_CODE,
                0xF2, 0x48, 0x0F, 0x38, 0xF1, 0xC3, // crc32 rax, rbx
                0xB3, 0x39,                         // mov bl, '9'
                0xF2, 0x0F, 0x38, 0xF0, 0xC3,       // crc32 eax, bl
                0x0F, 0x0B);
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(USER_CODE + 13, f.rip(), "stopped at the UD2, not at a CRC32");
        // CRC-32C("123456789") is E3069283 after the final inversion software does.
        assertEquals(0xE306_9283L, ~r.cpu.reg(Reg.RAX) & 0xFFFF_FFFFL);
        assertEquals(0, r.cpu.reg(Reg.RAX) >>> 32, "the 64-bit form zero-extends");
    }

    @Test
    void theMmxFormsOfSsse3AreInvalidWithoutMmxRegisters() {
        Rig r = new Rig();
        r.code(USER_CODE, 0x0F, 0x38, 0x00, 0xC1); // pshufb mm0, mm1: this model has no MMX
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(USER_CODE, f.rip());
    }

    @Test
    void anUnmaskedInvalidInRoundpsLeavesEveryElementAlone() {
        Rig r = new Rig();
        r.cpu.setMxcsr(0x1F80 & ~(1 << 7)); // unmask invalid (IM)
        r.cpu.setXmm(0, 0x1111_1111_2222_2222L, 0x3333_3333_4444_4444L);
        r.cpu.setXmm(1, 0x3FC0_0000_3FC0_0000L, 0x7F80_0001_3FC0_0000L); // 1.5 x 3, a signalling NaN in element 3
        r.code(USER_CODE, 0x66, 0x0F, 0x3A, 0x08, 0xC1, 0x00); // roundps xmm0, xmm1, 0
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.XM, f.vector());
        assertEquals(USER_CODE, f.rip());
        assertEquals(0x1111_1111_2222_2222L, r.cpu.xmmLow(0), "the destination is left alone");
        assertTrue((r.cpu.mxcsr() & 1) != 0, "IE is set");
        assertEquals(0, r.cpu.mxcsr() & 0x20, "PE, a post-computation flag, is not: the instruction faulted first");
    }

    @Test
    void anUnmaskedSseExceptionIsASimdFloatingPointException() {
        Rig r = new Rig();
        r.cpu.setMxcsr(0x1F80 & ~(1 << 9)); // unmask divide-by-zero
        r.cpu.setXmm(0, Double.doubleToRawLongBits(1.0), 0);
        r.cpu.setXmm(1, 0, 0);
        r.code(USER_CODE, 0xF2, 0x0F, 0x5E, 0xC1); // divsd xmm0, xmm1
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.XM, f.vector());
        assertEquals(USER_CODE, f.rip());
        assertEquals(Double.doubleToRawLongBits(1.0), r.cpu.xmmLow(0), "the destination is left alone");
        assertTrue((r.cpu.mxcsr() & 4) != 0, "ZE is set");
    }

    @Test
    void anUnmaskedX87ExceptionIsReportedAsMathFaultByTheNextWaitingInstruction() {
        Rig r = new Rig();
        r.write64(USER_DATA, 0x037BL); // control word with ZM (bit 2) clear
        r.code(USER_CODE, concat(
                new int[] {0xD9, 0x2C, 0x25}, disp32(USER_DATA),  // fldcw [USER_DATA]
                new int[] {0xD9, 0xE8, 0xD9, 0xEE},               // fld1; fldz
                new int[] {0xDE, 0xF9},                           // fdivp: 1 / 0, unmasked #Z
                new int[] {0x9B}));                               // fwait
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.MF, f.vector());
        assertEquals(USER_CODE + 13, f.rip(), "reported at the waiting instruction");
    }

    @Test
    void aMisalignedAccessWithAlignmentCheckingOnIsAnAlignmentCheckFault() {
        Rig r = new Rig();
        r.cpu.setCr(0, r.cpu.cr(0) | Cr.CR0_AM);
        r.cpu.setRflags(Rflags.AC);
        r.code(USER_CODE, loadAbsolute(USER_DATA + 3));
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.AC, f.vector());
        assertEquals(0, f.errorCode());
        assertEquals(USER_CODE, f.rip());
    }
    @Test
    void theTrapFlagSingleStepsWithADebugTrapAfterEachInstruction() {
        Rig r = new Rig();
        List<Long> steps = new ArrayList<>();
        r.cpu.setTrapHandler(Vector.DB, (c, f) -> {
            assertEquals(TrapKind.EXCEPTION, f.kind());
            steps.add(f.rip());
            return TrapHandler.Resume.CONTINUE;
        });
        r.cpu.setRflags(Rflags.TF);
        // nop; inc rax; jmp +0; ud2
        r.code(USER_CODE, 0x90, 0x48, 0xFF, 0xC0, 0xEB, 0x00, 0x0F, 0x0B);
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.UD, f.vector());
        assertEquals(List.of(USER_CODE + 1, USER_CODE + 4, USER_CODE + 6), steps, "a #DB after each completed instruction");
        assertEquals(1, r.cpu.reg(Reg.RAX), "each instruction ran once");
    }
}
