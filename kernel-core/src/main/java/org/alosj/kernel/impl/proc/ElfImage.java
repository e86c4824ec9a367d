package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.proc.SysError;

/**
 * An ELF64 x86-64 executable, checked before anything is mapped: static executables (ET_EXEC)
 * and static PIE (ET_DYN without PT_INTERP). Every field that sizes or places something is
 * validated against the file and the user address range, so a malformed file is ENOEXEC, never
 * a kernel exception.
 */
final class ElfImage {
    static final int PT_LOAD = 1;
    static final int PT_INTERP = 3;
    static final int PT_PHDR = 6;
    static final int PT_TLS = 7;
    static final int PT_GNU_STACK = 0x6474_E551;
    static final int PF_X = 1;
    static final int PF_W = 2;
    static final int PF_R = 4;
    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;
    /** Where a static PIE is placed (Linux's ELF_ET_DYN_BASE is 2/3 of the space; any page works). */
    static final long PIE_BASE = 0x5555_5555_4000L;
    private static final int MAX_PHNUM = 256;

    record Segment(long vaddr, long offset, long fileSize, long memSize, int flags) {
    }

    final byte[] file;
    final long entry;
    final long bias;
    final List<Segment> loads;
    final long phdrAddress;
    final int phentsize;
    final int phnum;
    final boolean executableStack;

    private ElfImage(byte[] file, List<Segment> loads, long entry, long bias, long phdrAddress, int phentsize,
            int phnum, boolean executableStack) {
        this.file = file;
        this.loads = List.copyOf(loads);
        this.entry = entry;
        this.bias = bias;
        this.phdrAddress = phdrAddress;
        this.phentsize = phentsize;
        this.phnum = phnum;
        this.executableStack = executableStack;
    }

    static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    static ElfImage parse(byte[] file, String path) throws SysError {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 64 || !isElf(file)) {
            throw bad(path, "not an ELF file");
        }
        if (file[4] != 2 || file[5] != 1 || file[6] != 1) {
            throw bad(path, "not a little-endian ELF64 version 1 file");
        }
        int type = b.getShort(16) & 0xFFFF;
        if ((b.getShort(18) & 0xFFFF) != 62) {
            throw bad(path, "machine " + (b.getShort(18) & 0xFFFF) + " is not x86-64 (62)");
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw bad(path, "ELF type " + type + " is not an executable");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        if (phentsize != 56 || phnum == 0 || phnum > MAX_PHNUM || phoff < 0
                || phoff > file.length - (long) phnum * phentsize) {
            throw bad(path, "program headers outside the file");
        }
        long bias = type == ET_DYN ? PIE_BASE : 0;
        List<Segment> loads = new ArrayList<>();
        boolean execStack = false;
        long phdrVa = -1;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            int ptype = b.getInt(ph);
            int flags = b.getInt(ph + 4);
            long off = b.getLong(ph + 8);
            long va = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            long memsz = b.getLong(ph + 40);
            long align = b.getLong(ph + 48);
            switch (ptype) {
                case PT_INTERP:
                    throw bad(path, "dynamically linked (PT_INTERP): only static executables run");
                case PT_GNU_STACK:
                    execStack = (flags & PF_X) != 0;
                    break;
                case PT_PHDR:
                    phdrVa = va;
                    break;
                case PT_TLS:
                    if (off < 0 || filesz < 0 || memsz < filesz || off > file.length || filesz > file.length - off
                            || (align != 0 && Long.bitCount(align) != 1)) {
                        throw bad(path, "PT_TLS segment " + i + " is malformed");
                    }
                    break;
                case PT_LOAD: {
                    if (off < 0 || filesz < 0 || memsz < filesz || off > file.length || filesz > file.length - off) {
                        throw bad(path, "segment " + i + " reaches past the end of the file");
                    }
                    if (((va - off) & 0xFFF) != 0) {
                        throw bad(path, "segment " + i + ": address and file offset differ modulo the page size");
                    }
                    long start = va + bias;
                    if (va < 0 || memsz > AddressSpace.USER_END || start < AddressSpace.MMAP_MIN
                            || start + memsz > AddressSpace.MMAP_TOP || start + memsz < start) {
                        throw bad(path, String.format("segment %d at %#x+%#x is outside user memory", i, va, memsz));
                    }
                    if (memsz == 0) {
                        break; // nothing to map (as Linux skips it); a mapping of no pages would replace one at its address
                    }
                    for (Segment s : loads) {
                        long a0 = start & ~0xFFFL;
                        long a1 = AddressSpace.pageUp(start + memsz);
                        long b0 = s.vaddr & ~0xFFFL;
                        long b1 = AddressSpace.pageUp(s.vaddr + s.memSize);
                        if (a0 < b1 && b0 < a1) {
                            throw bad(path, "segment " + i + " overlaps another");
                        }
                    }
                    loads.add(new Segment(start, off, filesz, memsz, flags));
                    break;
                }
                default:
                    break;
            }
        }
        if (loads.isEmpty()) {
            throw bad(path, "no loadable segment");
        }
        long entryVa = entry + bias;
        boolean entryInside = false;
        for (Segment s : loads) {
            if ((s.flags & PF_X) != 0 && entryVa >= s.vaddr && entryVa < s.vaddr + s.memSize) {
                entryInside = true;
            }
            if (phdrVa < 0 && phoff >= s.offset && phoff < s.offset + s.fileSize) {
                phdrVa = s.vaddr - bias + (phoff - s.offset);
            }
        }
        if (!entryInside) {
            throw bad(path, String.format("entry point %#x is in no executable segment", entry));
        }
        return new ElfImage(file, loads, entryVa, bias, phdrVa < 0 ? 0 : phdrVa + bias, phentsize, phnum, execStack);
    }

    private static SysError bad(String path, String why) {
        return new SysError(SysError.ENOEXEC, path + ": " + why);
    }

    static int protection(int flags) {
        int prot = 0;
        if ((flags & PF_R) != 0) {
            prot |= AddressSpace.PROT_READ;
        }
        if ((flags & PF_W) != 0) {
            prot |= AddressSpace.PROT_WRITE;
        }
        if ((flags & PF_X) != 0) {
            prot |= AddressSpace.PROT_EXEC;
        }
        return prot;
    }
}
