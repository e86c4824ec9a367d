package org.alosj.cpu.x86_64;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alosj.cpu.x86_64.impl.X86CpuFactory;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;

/**
 * Test code, not the kernel: loads a static x86-64 ELF (musl-gcc -static) into guest memory
 * behind 4-level page tables, builds the initial stack (argv, envp, auxv) and answers the few
 * Linux system calls such a program makes from a Java SYSCALL handler.
 */
final class GuestProcess {
    static final long STACK_TOP = 0x7FFF_FFFF_0000L;
    static final long STACK_SIZE = 1 << 20;
    static final long MMAP_BASE = 0x7F00_0000_0000L;

    final FlatRamBus bus;
    final Cpu cpu;
    final PageTables pt;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private long brkStart;
    private long brk;
    private long mmapNext = MMAP_BASE;
    Integer exitCode;
    TrapFrame fault;
    long syscalls;

    GuestProcess(Path elf, List<String> args, long ramSize) throws IOException {
        this(elf, args, ramSize, new X86CpuFactory());
    }

    /** A process whose CPU comes from {@code cpus} (and shares compiled traces with its other CPUs). */
    GuestProcess(Path elf, List<String> args, long ramSize, CpuFactory cpus) throws IOException {
        bus = new FlatRamBus(ramSize);
        cpu = cpus.create(bus);
        pt = new PageTables(bus, 0x10_0000);
        load(Files.readAllBytes(elf), args);
        cpu.setCr(3, pt.pml4);
        cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        cpu.setTrapHandler(Vector.SYSCALL, (c, f) -> syscall(c));
        for (int v = 0; v < 32; v++) {
            cpu.setTrapHandler(v, (c, f) -> {
                fault = new TrapFrame();
                fault.load(f.vector(), f.kind(), f.errorCode(), f.hasErrorCode(), f.faultAddress(), f.rip(), f.cs(),
                        f.rflags(), f.rsp(), f.ss());
                return TrapHandler.Resume.EXIT_RUN;
            });
        }
    }

    private void load(byte[] image, List<String> args) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x464C_457F || b.get(4) != 2 || b.getShort(18) != 62) {
            throw new IllegalArgumentException("not an x86-64 ELF64 file");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        long phdrVa = 0;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            int type = b.getInt(ph);
            if (type != 1) {
                continue;
            }
            int flags = b.getInt(ph + 4);
            long off = b.getLong(ph + 8);
            long va = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            long memsz = b.getLong(ph + 40);
            if (off <= phoff && phoff < off + filesz) {
                phdrVa = va + (phoff - off);
            }
            long pageFlags = PageTables.US | ((flags & 2) != 0 ? PageTables.RW : 0) | ((flags & 1) == 0 ? PageTables.NX : 0);
            for (long p = va & ~0xFFFL; p < va + memsz; p += 0x1000) {
                pt.map(p, pageFlags | (pt.mapped(p) ? pt.leafEntry(p) & (PageTables.RW) : 0));
            }
            pt.write(va, image, (int) off, (int) filesz);
            end = Math.max(end, va + memsz);
        }
        brkStart = (end + 0xFFF) & ~0xFFFL;
        brk = brkStart;
        // Stack
        for (long p = STACK_TOP - STACK_SIZE; p < STACK_TOP; p += 0x1000) {
            pt.map(p, PageTables.US | PageTables.RW | PageTables.NX);
        }
        long sp = STACK_TOP;
        long[] argPtrs = new long[args.size()];
        for (int i = args.size() - 1; i >= 0; i--) {
            byte[] s = (args.get(i) + "\0").getBytes(StandardCharsets.UTF_8);
            sp -= s.length;
            pt.write(sp, s);
            argPtrs[i] = sp;
        }
        sp -= 16;
        long random = sp;
        pt.write(random, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        sp &= ~15L;
        long[][] auxv = {{3, phdrVa}, {4, phentsize}, {5, phnum}, {6, 4096}, {9, entry}, {25, random}, {0, 0}};
        int words = 1 + args.size() + 1 + 1 + auxv.length * 2;
        sp -= 8L * words;
        sp &= ~15L;
        long p = sp;
        pt.write64(p, args.size());
        p += 8;
        for (long a : argPtrs) {
            pt.write64(p, a);
            p += 8;
        }
        pt.write64(p, 0);
        p += 8;
        pt.write64(p, 0); // no environment
        p += 8;
        for (long[] kv : auxv) {
            pt.write64(p, kv[0]);
            pt.write64(p + 8, kv[1]);
            p += 16;
        }
        cpu.setRip(entry);
        cpu.setReg(Reg.RSP, sp);
    }

    /** Runs to exit_group, a fault, or the instruction budget. */
    RunExit run(long budget) {
        RunExit exit = RunExit.BUDGET;
        long left = budget;
        while (exitCode == null && fault == null && left > 0) {
            long before = cpu.instructionsRetired();
            exit = cpu.run(left);
            left -= cpu.instructionsRetired() - before;
            if (exit != RunExit.TRAP && exit != RunExit.PREEMPTED) {
                break;
            }
        }
        return exit;
    }

    String output() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String errors() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private TrapHandler.Resume syscall(Cpu c) {
        syscalls++;
        long nr = c.reg(Reg.RAX);
        long a0 = c.reg(Reg.RDI);
        long a1 = c.reg(Reg.RSI);
        long a2 = c.reg(Reg.RDX);
        long ret;
        switch ((int) nr) {
            case 0: ret = 0; break; // read: EOF
            case 1: ret = write(a0, a1, a2); break;
            case 20: { // writev
                long total = 0;
                for (int i = 0; i < a2; i++) {
                    long base = pt.read64(a1 + 16L * i);
                    long len = pt.read64(a1 + 16L * i + 8);
                    total += write(a0, base, len);
                }
                ret = total;
                break;
            }
            case 9: ret = mmap(a1); break;
            case 10: case 11: ret = 0; break; // mprotect, munmap
            case 12: ret = brk(a0); break;
            case 13: case 14: ret = 0; break; // rt_sigaction, rt_sigprocmask
            case 16: ret = -25; break; // ioctl: ENOTTY
            case 39: case 186: ret = 1; break; // getpid, gettid
            case 158: // arch_prctl
                if (a0 == 0x1002) {
                    c.setFsBase(a1);
                    ret = 0;
                } else {
                    ret = -22;
                }
                break;
            case 218: ret = 1; break; // set_tid_address
            case 228: // clock_gettime: a fixed time keeps runs comparable
                pt.write64(a1, 0);
                pt.write64(a1 + 8, 0);
                ret = 0;
                break;
            case 60:
            case 231:
                exitCode = (int) a0;
                return TrapHandler.Resume.EXIT_RUN;
            default:
                ret = -38; // ENOSYS
        }
        c.setReg(Reg.RAX, ret);
        return TrapHandler.Resume.CONTINUE;
    }

    private long write(long fd, long buf, long len) {
        if (fd != 1 && fd != 2) {
            return -9;
        }
        byte[] data = pt.read(buf, (int) len);
        (fd == 1 ? stdout : stderr).writeBytes(data);
        return len;
    }

    private long brk(long want) {
        if (want <= brk) {
            return want < brkStart ? brk : want;
        }
        for (long p = brk; p < want; p += 0x1000) {
            if (!pt.mapped(p)) {
                pt.map(p, PageTables.US | PageTables.RW | PageTables.NX);
            }
        }
        brk = want;
        return brk;
    }

    private long mmap(long len) {
        long start = mmapNext;
        long size = (len + 0xFFF) & ~0xFFFL;
        for (long p = start; p < start + size; p += 0x1000) {
            pt.map(p, PageTables.US | PageTables.RW | PageTables.NX);
        }
        mmapNext += size + 0x1000;
        return start;
    }
}
