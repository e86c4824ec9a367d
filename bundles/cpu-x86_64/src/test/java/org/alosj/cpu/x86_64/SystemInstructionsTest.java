package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Msr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/**
 * The instructions the differential test cannot compare with the host: the time-stamp counter,
 * SGDT/SIDT (the host kernel emulates them under UMIP) and segment-register loads.
 */
class SystemInstructionsTest {
    @Test
    void theTimeStampCounterCountsUpAndRdtscpReportsTscAux() {
        TrapsTest.Rig r = new TrapsTest.Rig();
        r.cpu.setMsr(Msr.IA32_TSC_AUX, 0x1234);
        // rdtsc; mov r8, rax; mov r9, rdx; rdtscp; ud2
        r.code(TrapsTest.USER_CODE, 0x0F, 0x31, 0x49, 0x89, 0xC0, 0x49, 0x89, 0xD1, 0x0F, 0x01, 0xF9, 0x0F, 0x0B);
        r.runToTrap();
        long first = r.cpu.reg(Reg.R9) << 32 | r.cpu.reg(Reg.R8);
        long second = r.cpu.reg(Reg.RDX) << 32 | r.cpu.reg(Reg.RAX);
        assertTrue(second > first, () -> first + " then " + second);
        assertEquals(0x1234, r.cpu.reg(Reg.RCX));
        assertEquals(0, r.cpu.reg(Reg.RAX) >>> 32, "EDX:EAX, upper halves clear");
    }

    @Test
    void rdtscIsPrivilegedWhenCr4TsdIsSet() {
        TrapsTest.Rig r = new TrapsTest.Rig();
        r.cpu.setCr(4, r.cpu.cr(4) | Cr.CR4_TSD);
        r.code(TrapsTest.USER_CODE, 0x0F, 0x31);
        TrapFrame f = r.runToTrap();
        assertEquals(Vector.GP, f.vector());
        assertEquals(TrapsTest.USER_CODE, f.rip());
    }

    @Test
    void sgdtAndSidtStoreTheTablesRegisters() {
        TrapsTest.Rig r = new TrapsTest.Rig();
        r.descriptorTables();
        // sgdt [USER_DATA]; sidt [USER_DATA + 16]; ud2
        r.code(TrapsTest.USER_CODE, TrapsTest.concat(new int[] {0x0F, 0x01, 0x04, 0x25}, TrapsTest.disp32(TrapsTest.USER_DATA),
                new int[] {0x0F, 0x01, 0x0C, 0x25}, TrapsTest.disp32(TrapsTest.USER_DATA + 16), new int[] {0x0F, 0x0B}));
        r.runToTrap();
        assertEquals(7 * 8 - 1, r.read64(TrapsTest.USER_DATA) & 0xFFFF);
        assertEquals(TrapsTest.TABLES, r.read64(TrapsTest.USER_DATA + 2));
        assertEquals(256 * 16 - 1, r.read64(TrapsTest.USER_DATA + 16) & 0xFFFF);
        assertEquals(TrapsTest.TABLES + 0x100, r.read64(TrapsTest.USER_DATA + 18));
    }

    @Test
    void segmentRegistersLoadAndStoreTheirSelectors() {
        TrapsTest.Rig r = new TrapsTest.Rig();
        r.descriptorTables();
        r.cpu.setReg(Reg.RAX, 0x2B);
        // mov ds, eax; mov es, eax; mov ecx, ds; mov edx, cs; mov ebx, ss; ud2
        r.code(TrapsTest.USER_CODE, 0x8E, 0xD8, 0x8E, 0xC0, 0x8C, 0xD9, 0x8C, 0xCA, 0x8C, 0xD3, 0x0F, 0x0B);
        r.runToTrap();
        assertEquals(0x2B, r.cpu.reg(Reg.RCX));
        assertEquals(0x33, r.cpu.reg(Reg.RDX));
        assertEquals(0x2B, r.cpu.reg(Reg.RBX));
    }
}
