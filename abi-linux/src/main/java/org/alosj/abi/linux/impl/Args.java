package org.alosj.abi.linux.impl;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;

/** The system call's number and six arguments, as the x86-64 ABI passes them. */
record Args(int number, long a0, long a1, long a2, long a3, long a4, long a5) {
    static Args of(Cpu cpu) {
        return new Args((int) cpu.reg(Reg.RAX), cpu.reg(Reg.RDI), cpu.reg(Reg.RSI), cpu.reg(Reg.RDX),
                cpu.reg(Reg.R10), cpu.reg(Reg.R8), cpu.reg(Reg.R9));
    }

    int i0() {
        return (int) a0;
    }

    int i1() {
        return (int) a1;
    }

    int i2() {
        return (int) a2;
    }

    int i3() {
        return (int) a3;
    }
}
