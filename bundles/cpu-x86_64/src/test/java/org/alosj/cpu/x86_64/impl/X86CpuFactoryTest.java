package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/** The service the bundle registers: each CPU its own, all of them over the memory they are given. */
class X86CpuFactoryTest {
    private final CpuFactory factory = new X86CpuFactory();
    private final FlatRamBus bus = new FlatRamBus(1 << 20);

    private static void stopOnUd(Cpu cpu) {
        cpu.setTrapHandler(Vector.UD, (c, f) -> TrapHandler.Resume.EXIT_RUN);
    }

    @Test
    void cpusOfOneFactoryHaveTheirOwnRegistersAndShareTheBusTheyAreGiven() {
        Cpu a = factory.create(bus);
        Cpu b = factory.create(bus);
        assertNotSame(a, b);
        // With CR0.PG clear linear is physical. a: mov [0x8000], rax; ud2   b: mov rbx, [0x8000]; ud2
        bus.write(0x1000, new byte[] {0x48, (byte) 0x89, 0x04, 0x25, 0x00, (byte) 0x80, 0, 0, 0x0F, 0x0B}, 0, 10);
        bus.write(0x2000, new byte[] {0x48, (byte) 0x8B, 0x1C, 0x25, 0x00, (byte) 0x80, 0, 0, 0x0F, 0x0B}, 0, 10);
        stopOnUd(a);
        stopOnUd(b);
        a.setReg(Reg.RAX, 0x1122_3344_5566_7788L);
        a.setRip(0x1000);
        b.setRip(0x2000);
        assertEquals(RunExit.TRAP, a.run(100));
        assertEquals(RunExit.TRAP, b.run(100));
        assertEquals(0x1122_3344_5566_7788L, b.reg(Reg.RBX));
        assertEquals(0, b.reg(Reg.RAX), "b's RAX is its own");
        assertEquals(0, a.reg(Reg.RBX), "a's RBX is its own");
    }

    @Test
    void aNewCpuIsInTheDocumentedResetState() {
        Cpu c = factory.create(bus);
        assertEquals(0x33, c.cs());
        assertEquals(0x2B, c.ss());
        assertEquals(3, c.cpl());
        assertEquals(0x1F80, c.mxcsr());
        byte[] fx = c.saveFpuState();
        assertEquals(0x37F, (fx[0] & 0xFF) | (fx[1] & 0xFF) << 8, "x87 control word");
    }

    @Test
    void aCpuWithoutMemoryIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> factory.create(null));
        assertEquals("a CPU needs a memory bus, got null", e.getMessage());
    }

    @Test
    void theFactorysCpuidIsWhatTheCpuidInstructionReturns() {
        Cpu c = factory.create(bus);
        stopOnUd(c);
        bus.write(0x3000, new byte[] {0x0F, (byte) 0xA2, 0x0F, 0x0B}, 0, 4); // cpuid; ud2
        for (int leaf : new int[] {0, 1, 0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0006, 0x8000_0008, 7}) {
            c.setReg(Reg.RAX, leaf & 0xFFFF_FFFFL);
            c.setReg(Reg.RCX, 0);
            c.setRip(0x3000);
            assertEquals(RunExit.TRAP, c.run(10));
            int[] r = factory.cpuid(leaf, 0);
            assertEquals(c.reg(Reg.RAX), r[0] & 0xFFFF_FFFFL, "EAX of leaf " + Integer.toHexString(leaf));
            assertEquals(c.reg(Reg.RBX), r[1] & 0xFFFF_FFFFL);
            assertEquals(c.reg(Reg.RCX), r[2] & 0xFFFF_FFFFL);
            assertEquals(c.reg(Reg.RDX), r[3] & 0xFFFF_FFFFL);
        }
    }

    /** Blocks of one shape on two CPUs share one class, and each still runs its own operands. */
    @Test
    void cpusOfOneFactoryShareTheClassOfABlockShapeAndKeepTheirOwnOperands() {
        X86CpuFactory cpus = new X86CpuFactory();
        // mov ecx, 300; again: add eax, IMM; dec ecx; jnz again; ud2
        byte[] three = {(byte) 0xB9, 0x2C, 0x01, 0, 0, (byte) 0x83, (byte) 0xC0, 3, (byte) 0xFF, (byte) 0xC9, 0x75, (byte) 0xF9, 0x0F, 0x0B};
        byte[] five = three.clone();
        five[7] = 5;
        bus.write(0x1000, three, 0, three.length);
        bus.write(0x2000, five, 0, five.length);
        Cpu a = cpus.create(bus);
        Cpu b = cpus.create(bus);
        stopOnUd(a);
        stopOnUd(b);
        a.setRip(0x1000);
        b.setRip(0x2000);
        assertEquals(RunExit.TRAP, a.run(10_000));
        long reusedBefore = cpus.blocks.shapesReused();
        assertEquals(RunExit.TRAP, b.run(10_000));
        assertEquals(900, a.reg(Reg.RAX));
        assertEquals(1500, b.reg(Reg.RAX), "b ran its own immediate through the shared class");
        org.junit.jupiter.api.Assertions.assertTrue(cpus.blocks.shapesReused() > reusedBefore,
                "b's loop block found a's class");
    }
}
