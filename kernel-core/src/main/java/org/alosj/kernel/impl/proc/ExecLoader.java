package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.proc.AddressSpace.Vma;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;

/**
 * execve's loader: reads an executable through the VFS (following {@code #!} to its
 * interpreter), checks the ELF, and builds the new image's address space: its segments mapped
 * from the file on demand, the heap's start, and the stack with argv, envp and the auxiliary
 * vector (System V x86-64 ABI). The caller's process is untouched until it installs the result.
 */
final class ExecLoader {
    static final int MAX_ARGUMENT_BYTES = 256 * 1024;
    static final int MAX_IMAGE_BYTES = 256 << 20;
    static final long INITIAL_STACK = 128 * 1024;
    /** CPUID.01H:EDX as the CPU model reports it, for AT_HWCAP. */
    static final long HWCAP = 1 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 8 | 1 << 15 | 1 << 19 | 1 << 24 | 1 << 25 | 1 << 26;

    private final UserFrames frames;
    private final MemoryBus bus;
    private final long kernelPdpt;
    private final SecureRandom random = new SecureRandom();

    ExecLoader(UserFrames frames, long kernelPdpt) {
        this.frames = frames;
        this.bus = frames.bus();
        this.kernelPdpt = kernelPdpt;
    }

    /** An executable read and checked, with the argument list a #! line made. */
    record Image(ElfImage elf, List<String> argv, String path) {
    }

    Image load(VfsContext fs, String path, List<String> argv, int depth) throws SysError {
        if (path.isEmpty()) {
            throw new SysError(SysError.ENOENT, "empty path");
        }
        byte[] file = readExecutable(fs, path);
        if (file.length >= 2 && file[0] == '#' && file[1] == '!') {
            if (depth >= 4) {
                throw new SysError(SysError.ELOOP, path + ": too many #! interpreters");
            }
            int end = 2;
            while (end < file.length && end < 258 && file[end] != '\n') {
                end++;
            }
            String line = new String(file, 2, end - 2, StandardCharsets.UTF_8).trim();
            if (line.isEmpty()) {
                throw new SysError(SysError.ENOEXEC, path + ": #! names no interpreter");
            }
            int space = line.indexOf(' ');
            String interpreter = space < 0 ? line : line.substring(0, space);
            String arg = space < 0 ? null : line.substring(space + 1).trim();
            List<String> args = new ArrayList<>();
            args.add(interpreter);
            if (arg != null && !arg.isEmpty()) {
                args.add(arg);
            }
            args.add(path);
            if (argv.size() > 1) {
                args.addAll(argv.subList(1, argv.size()));
            }
            return load(fs, interpreter, args, depth + 1);
        }
        return new Image(ElfImage.parse(file, path), argv, path);
    }

    /** A file as exec last read it: the same inode, size and times mean the same bytes. */
    private record FileKey(long device, long ino, long size, java.time.Instant modified, java.time.Instant changed) {
    }

    /** The last few executables read (a shell runs the same busybox again and again). */
    private final java.util.Map<FileKey, byte[]> recent = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<FileKey, byte[]> eldest) {
            return size() > 8;
        }
    };

    private byte[] readExecutable(VfsContext fs, String path) throws SysError {
        try {
            org.alosj.kernel.vfs.FileStatus st = fs.stat(path);
            FileKey key = new FileKey(st.device(), st.attributes().ino(), st.size(), st.attributes().modified(),
                    st.attributes().changed());
            if (st.type() == FileType.DIRECTORY) {
                throw new SysError(SysError.EACCES, path + ": is a directory");
            }
            if (st.type() != FileType.REGULAR || (st.attributes().permissions() & 0111) == 0) {
                throw new SysError(SysError.EACCES, path + ": not an executable file");
            }
            if (st.size() > MAX_IMAGE_BYTES) {
                throw new SysError(SysError.ENOMEM, path + ": larger than " + (MAX_IMAGE_BYTES >> 20) + " MiB");
            }
            synchronized (recent) {
                byte[] known = recent.get(key);
                if (known != null) {
                    return known;
                }
            }
            int fd = fs.open(path, OpenFlags.O_RDONLY, 0);
            try {
                byte[] b = new byte[(int) st.size()];
                int done = 0;
                while (done < b.length) {
                    int n = fs.pread(fd, ByteBuffer.wrap(b, done, b.length - done), done);
                    if (n <= 0) {
                        break;
                    }
                    done += n;
                }
                byte[] image = done == b.length ? b : java.util.Arrays.copyOf(b, done);
                if (done == b.length) {
                    synchronized (recent) {
                        recent.put(key, image);
                    }
                }
                return image;
            } finally {
                fs.close(fd);
            }
        } catch (FsException e) {
            throw new SysError(e.errno().number(), path + ": " + e.errno().text());
        }
    }

    /**
     * Builds the new image's address space (segments, heap, stack with argv, envp and auxv) and
     * returns it; {@code start} gets the entry point and stack pointer. Nothing of the caller's
     * process changes until the caller installs it.
     */
    AddressSpace buildImage(Image image, List<String> envp, TrapFrame start) throws SysError {
        AddressSpace as;
        try {
            as = new AddressSpace(frames, kernelPdpt);
        } catch (OutOfMemory oom) {
            throw new SysError(SysError.ENOMEM);
        }
        try {
            ElfImage elf = image.elf();
            byte[] file = elf.file;
            AddressSpace.PageSource source = (offset, dst, at, length) -> {
                if (offset < file.length) {
                    int n = (int) Math.min(length, file.length - offset);
                    System.arraycopy(file, (int) offset, dst, at, n);
                }
            };
            long end = 0;
            for (ElfImage.Segment s : elf.loads) {
                long start0 = s.vaddr() & ~(AddressSpace.PAGE - 1);
                long stop = AddressSpace.pageUp(s.vaddr() + s.memSize());
                long offset = s.offset() - (s.vaddr() - start0);
                as.map(new Vma(start0, stop, ElfImage.protection(s.flags()), false, false, source, offset,
                        s.vaddr() + s.fileSize(), image.path()));
                end = Math.max(end, stop);
            }
            as.setBreakStart(end);
            int stackProt = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE
                    | (elf.executableStack ? AddressSpace.PROT_EXEC : 0);
            as.map(new Vma(AddressSpace.STACK_TOP - INITIAL_STACK, AddressSpace.STACK_TOP, stackProt, false, true,
                    null, 0, 0, "[stack]"));
            long sp = buildStack(as, image, envp);
            start.setRip(elf.entry);
            start.setRsp(sp);
            return as;
        } catch (SysError | RuntimeException e) {
            as.destroy();
            throw e;
        }
    }

    private long buildStack(AddressSpace as, Image image, List<String> envp) throws SysError {
        List<String> argv = image.argv();
        int total = 0;
        for (String s : argv) {
            total += s.length() + 9;
        }
        for (String s : envp) {
            total += s.length() + 9;
        }
        if (total > MAX_ARGUMENT_BYTES) {
            throw new SysError(SysError.E2BIG, "arguments and environment exceed " + MAX_ARGUMENT_BYTES + " bytes");
        }
        StackWriter w = new StackWriter(as, AddressSpace.STACK_TOP);
        long execfn = w.string(image.path());
        long[] envPtrs = new long[envp.size()];
        for (int i = envp.size() - 1; i >= 0; i--) {
            envPtrs[i] = w.string(envp.get(i));
        }
        long[] argPtrs = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            argPtrs[i] = w.string(argv.get(i));
        }
        long platformName = w.string("x86_64");
        byte[] rnd = new byte[16];
        random.nextBytes(rnd);
        long randomBytes = w.bytes(rnd);
        ElfImage elf = image.elf();
        long[] auxv = {
            3, elf.phdrAddress, 4, elf.phentsize, 5, elf.phnum, 6, AddressSpace.PAGE, 7, 0, 8, 0, 9, elf.entry,
            11, 0, 12, 0, 13, 0, 14, 0, 15, platformName, 16, HWCAP, 17, 100, 23, 0, 25, randomBytes, 26, 0,
            31, execfn, 0, 0};
        int words = 1 + argPtrs.length + 1 + envPtrs.length + 1 + auxv.length;
        long sp = (w.sp - 8L * words) & ~15L;
        long[] all = new long[words];
        int i = 0;
        all[i++] = argPtrs.length;
        for (long a : argPtrs) {
            all[i++] = a;
        }
        all[i++] = 0;
        for (long e : envPtrs) {
            all[i++] = e;
        }
        all[i++] = 0;
        for (long a : auxv) {
            all[i++] = a;
        }
        ByteBuffer b = ByteBuffer.allocate(words * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long v : all) {
            b.putLong(v);
        }
        writeTo(as, sp, b.array());
        return sp;
    }

    private final class StackWriter {
        final AddressSpace as;
        long sp;

        StackWriter(AddressSpace as, long top) {
            this.as = as;
            this.sp = top;
        }

        long string(String s) throws SysError {
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            return bytes(b);
        }

        long bytes(byte[] b) throws SysError {
            sp -= b.length;
            writeTo(as, sp, b);
            return sp;
        }
    }

    private void writeTo(AddressSpace as, long va, byte[] data) throws SysError {
        int done = 0;
        while (done < data.length) {
            long a = va + done;
            int n = (int) Math.min(data.length - done, AddressSpace.PAGE - (a & (AddressSpace.PAGE - 1)));
            bus.write(as.translate(a, true), data, done, n);
            done += n;
        }
    }

}
