package org.alosj.abi.linux.impl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.kernel.klog.KernelLog;
import org.alosj.kernel.mem.MemoryInfo;
import org.alosj.kernel.proc.Abi;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.UserMemory;
import org.alosj.kernel.vfs.Vfs;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Linux x86-64 system call table: number in RAX, arguments in RDI RSI RDX R10 R8 R9, the
 * result or a negative errno back in RAX. The same table answers SYSCALL and ALOS's
 * {@code int 0x80}. Process, memory, signal and time calls are here; file calls in
 * {@link FileCalls}. An unknown number is ENOSYS, logged once.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Abi.class, property = Abi.NAME + "=" + Abi.LINUX_X86_64)
public final class LinuxAbi implements Abi {
    static final int AT_FDCWD = -100;

    private final SecureRandom random = new SecureRandom();
    private final FileCalls files = new FileCalls(this);
    private final SocketCalls sockets = new SocketCalls(this);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MemoryInfo memoryInfo;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Vfs vfs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile org.alosj.net.NetworkStack network;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile KernelLog kernelLog;

    @Override
    public void syscall(Task t) {
        Cpu cpu = t.cpu();
        Args a = Args.of(cpu);
        long result;
        try {
            switch (a.number()) {
                case 15: // rt_sigreturn: the registers are the frame's, RAX included
                    sigreturn(t);
                    return;
                case 59: // execve: on success the registers are the new image's
                    execve(t, a.a0(), a.a1(), a.a2());
                    return;
                case 322: // execveat
                    files.execveat(t, a);
                    return;
                default:
                    result = dispatch(t, a);
            }
        } catch (SysError e) {
            result = -e.errno();
        } catch (RuntimeException e) {
            // A bug of ours must not take the machine down: the program gets EFAULT-like EIO.
            org.slf4j.LoggerFactory.getLogger("abi.linux").error("system call {} of {} failed: {}", a.number(),
                    t, e.toString(), e);
            result = -SysError.EIO;
        }
        cpu.setReg(Reg.RAX, result);
    }

    private long dispatch(Task t, Args a) throws SysError {
        switch (a.number()) {
            case 9:
                return t.mmap(a.a0(), a.a1(), a.i2(), a.i3(), (a.i3() & 0x20) != 0 ? null : t.file((int) a.a4()), a.a5());
            case 10:
                t.mprotect(a.a0(), a.a1(), a.i2());
                return 0;
            case 11:
                t.munmap(a.a0(), a.a1());
                return 0;
            case 12:
                return t.brk(a.a0());
            case 13:
                return sigaction(t, a.i0(), a.a1(), a.a2());
            case 14:
                return sigprocmask(t, a.i0(), a.a1(), a.a2());
            case 24:
                t.yieldCpu();
                return 0;
            case 25:
                return t.mremap(a.a0(), a.a1(), a.a2(), a.i3(), a.a4());
            case 26: // msync: private mappings have nothing to write back
            case 28: // madvise: advice only
                return 0;
            case 27: // mincore
                return mincore(t, a.a0(), a.a1(), a.a2());
            case 34: // pause
                t.await(new Object(), () -> false, -1);
                return 0;
            case 35:
                return nanosleep(t, a.a0(), a.a1());
            case 37: // alarm
                return 0;
            case 39:
                return t.pid();
            case 56:
                return t.clone(a.a0(), a.a1(), a.a2(), a.a3(), a.a4());
            case 57:
                return t.clone(Signals.SIGCHLD, 0, 0, 0, 0);
            case 58:
                return t.clone(0x4000 | 0x100 | Signals.SIGCHLD, 0, 0, 0, 0);
            case 435:
                return clone3(t, a.a0(), a.a1());
            case 60:
                t.exit(a.i0(), false);
                return 0;
            case 231:
                t.exit(a.i0(), true);
                return 0;
            case 61:
                return wait4(t, a.i0(), a.a1(), a.i2(), a.a3());
            case 247:
                return waitid(t, a.i0(), a.i1(), a.a2(), a.i3());
            case 62:
                t.kill(a.i0(), a.i1());
                return 0;
            case 200:
                t.killThread(-1, a.i0(), a.i1());
                return 0;
            case 234:
                t.killThread(a.i0(), a.i1(), a.i2());
                return 0;
            case 63:
                return uname(t, a.a0());
            case 95:
                return t.fs().umask(a.i0() & 0777);
            case 96:
                return gettimeofday(t, a.a0());
            case 97:
                return getrlimit(t, a.i0(), a.a1());
            case 160:
                return 0;
            case 302:
                return prlimit(t, a.i0(), a.i1(), a.a2(), a.a3());
            case 98:
                return getrusage(t, a.i0(), a.a1());
            case 99:
                return sysinfo(t, a.a0());
            case 103:
                return KernelLogCall.syslog(t, kernelLog, a.i0(), a.a1(), a.i2());
            case 100:
                return times(t, a.a0());
            case 102: case 104: case 107: case 108:
                return 0;
            case 105: case 106: case 113: case 114: case 116: case 117: case 119:
                return 0; // everything runs as root: setting the ids to root is a no-op
            case 115:
                return 0;
            case 118: case 120:
                t.memory().writeInt(a.a0(), 0);
                t.memory().writeInt(a.a1(), 0);
                t.memory().writeInt(a.a2(), 0);
                return 0;
            case 109:
                t.setpgid(a.i0(), a.i1());
                return 0;
            case 110:
                return t.ppid();
            case 111:
                return t.pgid();
            case 112:
                return t.setsid();
            case 121:
                return t.getpgid(a.i0());
            case 124:
                return t.getsid(a.i0());
            case 127:
                t.memory().writeLong(a.a0(), t.pendingSignals());
                return 0;
            case 130:
                t.suspend(t.memory().readLong(a.a0()));
                return 0;
            case 131:
                return sigaltstack(t, a.a0(), a.a1());
            case 140:
                if (a.i0() != 0) {
                    throw new SysError(SysError.EINVAL);
                }
                return 20 - t.nice(a.i1());
            case 141:
                return setpriority(t, a.i0(), a.i1(), a.i2());
            case 157:
                return prctl(t, a.i0(), a.a1());
            case 158:
                return archPrctl(t, a.i0(), a.a1());
            case 186:
                return t.tid();
            case 201: {
                long now = t.realtimeNanos() / 1_000_000_000L;
                if (a.a0() != 0) {
                    t.memory().writeLong(a.a0(), now);
                }
                return now;
            }
            case 202:
                return futex(t, a);
            case 203: // sched_setaffinity
                return 0;
            case 309:
                return getcpu(t, a.a0(), a.a1());
            case 204:
                return schedGetaffinity(t, a.a1(), a.a2());
            case 218:
                return t.setClearChildTid(a.a0());
            case 228:
                return clockGettime(t, a.i0(), a.a1());
            case 229:
                if (a.a1() != 0) {
                    t.memory().writeLong(a.a1(), 0);
                    t.memory().writeLong(a.a1() + 8, 1);
                }
                return 0;
            case 230:
                return clockNanosleep(t, a.i0(), a.i1(), a.a2(), a.a3());
            case 273:
                t.setRobustList(a.a0(), a.a1());
                return 0;
            case 318:
                return getrandom(t, a.a0(), a.a1());
            case 334: // rseq: the C library copes without it
                throw new SysError(SysError.ENOSYS);
            default:
                if (SocketCalls.handles(a.number())) {
                    return sockets.dispatch(t, a);
                }
                return files.dispatch(t, a);
        }
    }

    // --- processes -------------------------------------------------------------------------------

    private void execve(Task t, long path, long argv, long envp) {
        Cpu cpu = t.cpu();
        try {
            String p = t.memory().readString(path, 4096);
            List<String> args = t.memory().readStringArray(argv, 2 * 1024 * 1024);
            List<String> env = t.memory().readStringArray(envp, 2 * 1024 * 1024);
            execveOrOwnImage(t, p, args, env);
        } catch (SysError e) {
            cpu.setReg(Reg.RAX, -e.errno());
        }
    }

    /**
     * execve; without a /proc (the VFS has none mounted) /proc/self/exe still names the
     * process's own image, which busybox execs to run an applet.
     */
    static void execveOrOwnImage(Task t, String path, List<String> args, List<String> env) throws SysError {
        try {
            t.execve(path, args, env);
        } catch (SysError e) {
            String exe = FileCalls.procExe(t, path);
            if (exe == null || e.errno() != SysError.ENOENT) {
                throw e;
            }
            t.execve(exe, args, env);
        }
    }

    void execveWith(Task t, String path, long argv, long envp) {
        Cpu cpu = t.cpu();
        try {
            List<String> args = t.memory().readStringArray(argv, 2 * 1024 * 1024);
            List<String> env = t.memory().readStringArray(envp, 2 * 1024 * 1024);
            execveOrOwnImage(t, path, args, env);
        } catch (SysError e) {
            cpu.setReg(Reg.RAX, -e.errno());
        }
    }

    private long clone3(Task t, long argsAddress, long size) throws SysError {
        if (size < 64) {
            throw new SysError(SysError.EINVAL);
        }
        UserMemory m = t.memory();
        long flags = m.readLong(argsAddress);
        long pidfd = m.readLong(argsAddress + 8);
        long childTid = m.readLong(argsAddress + 16);
        long parentTid = m.readLong(argsAddress + 24);
        long exitSignal = m.readLong(argsAddress + 32);
        long stack = m.readLong(argsAddress + 40);
        long stackSize = m.readLong(argsAddress + 48);
        long tls = m.readLong(argsAddress + 56);
        if (pidfd != 0 && (flags & 0x1000) != 0) {
            throw new SysError(SysError.EINVAL); // CLONE_PIDFD: no pidfds here
        }
        return t.clone((flags & ~0xFFL) | (exitSignal & 0xFF), stack == 0 ? 0 : stack + stackSize, parentTid,
                childTid, tls);
    }

    private long wait4(Task t, int pid, long status, int options, long rusage) throws SysError {
        if ((options & ~(1 | 2 | 8 | 0x2000_0000 | 0x4000_0000 | 0x8000_0000)) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        Task.ChildState s = t.waitChild(pid, (options & (1 | 2 | 8)) | 4);
        if (s == null) {
            return 0;
        }
        if (status != 0) {
            t.memory().writeInt(status, s.waitStatus());
        }
        if (rusage != 0) {
            t.memory().write(rusage, rusage(s.cpuNanos(), s.sysNanos()));
        }
        return s.pid();
    }

    private long waitid(Task t, int idType, int id, long info, int options) throws SysError {
        int pid;
        switch (idType) {
            case 0:
                pid = -1;
                break;
            case 1:
                pid = id;
                break;
            case 2:
                pid = id == 0 ? 0 : -id;
                break;
            default:
                throw new SysError(SysError.EINVAL);
        }
        if ((options & (2 | 4 | 8)) == 0) {
            throw new SysError(SysError.EINVAL);
        }
        Task.ChildState s = t.waitChild(pid, options);
        ByteBuffer b = Layout.buffer(128);
        if (s != null) {
            b.putInt(0, Signals.SIGCHLD);
            b.putInt(8, s.siCode());
            b.putInt(16, s.pid());
            b.putInt(20, s.uid());
            b.putInt(24, s.siStatus());
        }
        if (info != 0) {
            t.memory().write(info, b.array());
        }
        return 0;
    }

    private long uname(Task t, long address) throws SysError {
        byte[] u = new byte[65 * 6];
        String[] fields = {"Linux", "alosj", "6.1.0-alosj", "#1 ALOS/J", "x86_64", "(none)"};
        for (int i = 0; i < fields.length; i++) {
            byte[] f = fields[i].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(f, 0, u, 65 * i, f.length);
        }
        t.memory().write(address, u);
        return 0;
    }

    private long setpriority(Task t, int which, int who, int nice) throws SysError {
        if (which != 0) {
            throw new SysError(SysError.EINVAL);
        }
        t.setNice(who, Math.max(-20, Math.min(19, nice)));
        return 0;
    }

    private long prctl(Task t, int option, long arg) throws SysError {
        switch (option) {
            case 15: { // PR_SET_NAME: the kernel keeps 15 bytes
                String name = t.memory().readString(arg, 4096);
                t.setName(name.length() > 15 ? name.substring(0, 15) : name);
                return 0;
            }
            case 16: { // PR_GET_NAME
                byte[] name = new byte[16];
                byte[] n = t.info().name().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(n, 0, name, 0, Math.min(15, n.length));
                t.memory().write(arg, name);
                return 0;
            }
            default:
                throw new SysError(SysError.EINVAL);
        }
    }

    private long archPrctl(Task t, int code, long address) throws SysError {
        Cpu cpu = t.cpu();
        switch (code) {
            case 0x1001:
                cpu.setGsBase(address);
                return 0;
            case 0x1002:
                cpu.setFsBase(address);
                return 0;
            case 0x1003:
                t.memory().writeLong(address, cpu.fsBase());
                return 0;
            case 0x1004:
                t.memory().writeLong(address, cpu.gsBase());
                return 0;
            default:
                throw new SysError(SysError.EINVAL);
        }
    }

    private long schedGetaffinity(Task t, long length, long mask) throws SysError {
        if (length < 8) {
            throw new SysError(SysError.EINVAL);
        }
        byte[] b = new byte[8];
        int cpus = Math.min(64, t.onlineCpus());
        for (int i = 0; i < cpus; i++) {
            b[i / 8] |= (byte) (1 << (i % 8));
        }
        t.memory().write(mask, b);
        return 8;
    }

    /** getcpu(2): the CPU the thread runs on, node 0. */
    private static long getcpu(Task t, long cpu, long node) throws SysError {
        if (cpu != 0) {
            t.memory().writeInt(cpu, t.cpuNumber());
        }
        if (node != 0) {
            t.memory().writeInt(node, 0);
        }
        return 0;
    }

    private long getrlimit(Task t, int resource, long address) throws SysError {
        long[] l = limit(resource);
        t.memory().writeLong(address, l[0]);
        t.memory().writeLong(address + 8, l[1]);
        return 0;
    }

    private long prlimit(Task t, int pid, int resource, long newLimit, long oldLimit) throws SysError {
        if (pid != 0 && pid != t.pid()) {
            throw new SysError(SysError.EPERM);
        }
        if (oldLimit != 0) {
            getrlimit(t, resource, oldLimit);
        }
        return 0;
    }

    private static long[] limit(int resource) throws SysError {
        long inf = -1;
        switch (resource) {
            case 3: // RLIMIT_STACK
                return new long[] {8L << 20, inf};
            case 6: // RLIMIT_NPROC
                return new long[] {256, 256};
            case 7: // RLIMIT_NOFILE
                return new long[] {1024, 1024};
            default:
                if (resource < 0 || resource > 15) {
                    throw new SysError(SysError.EINVAL);
                }
                return new long[] {inf, inf};
        }
    }

    private long getrusage(Task t, int who, long address) throws SysError {
        byte[] usage = switch (who) {
            case 0 -> rusage(t.processCpuNanos(), t.processSysNanos());   // RUSAGE_SELF
            case -1 -> rusage(t.childrenCpuNanos(), t.childrenSysNanos()); // RUSAGE_CHILDREN
            case 1 -> rusage(t.threadCpuNanos(), t.threadSysNanos());     // RUSAGE_THREAD
            default -> throw new SysError(SysError.EINVAL);
        };
        t.memory().write(address, usage);
        return 0;
    }

    /** struct rusage with its user (CPU less system) and system times; the other fields zero. */
    private static byte[] rusage(long cpuNanos, long sysNanos) {
        long sys = Math.min(sysNanos, cpuNanos);
        long user = cpuNanos - sys;
        ByteBuffer b = Layout.buffer(144);
        b.putLong(0, user / 1_000_000_000L);
        b.putLong(8, user / 1000 % 1_000_000);
        b.putLong(16, sys / 1_000_000_000L);
        b.putLong(24, sys / 1000 % 1_000_000);
        return b.array();
    }

    private long sysinfo(Task t, long address) throws SysError {
        ByteBuffer b = Layout.buffer(112);
        b.putLong(0, t.monotonicNanos() / 1_000_000_000L);
        MemoryInfo m = memoryInfo;
        if (m != null) {
            b.putLong(32, m.totalBytes());
            b.putLong(40, m.freeBytes());
        }
        b.putShort(80, (short) t.allProcesses().size());
        b.putInt(104, 1);
        t.memory().write(address, b.array());
        return 0;
    }

    private long times(Task t, long address) throws SysError {
        if (address != 0) {
            // struct tms in clock ticks (sysconf(_SC_CLK_TCK) is 100): user, system, children's user and system.
            long cpu = t.processCpuNanos();
            long sys = Math.min(t.processSysNanos(), cpu);
            long childCpu = t.childrenCpuNanos();
            long childSys = Math.min(t.childrenSysNanos(), childCpu);
            ByteBuffer b = Layout.buffer(32);
            b.putLong(0, (cpu - sys) / 10_000_000L);
            b.putLong(8, sys / 10_000_000L);
            b.putLong(16, (childCpu - childSys) / 10_000_000L);
            b.putLong(24, childSys / 10_000_000L);
            t.memory().write(address, b.array());
        }
        return t.monotonicNanos() / 10_000_000L;
    }

    private long getrandom(Task t, long address, long length) throws SysError {
        int n = (int) Math.min(length, 1 << 20);
        byte[] b = new byte[n];
        random.nextBytes(b);
        t.memory().write(address, b);
        return n;
    }

    private long mincore(Task t, long address, long length, long vec) throws SysError {
        if ((address & 0xFFF) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        int pages = (int) ((length + 0xFFF) >>> 12);
        byte[] v = new byte[pages];
        java.util.Arrays.fill(v, (byte) 1);
        t.memory().write(vec, v);
        return 0;
    }

    // --- time ------------------------------------------------------------------------------------

    private long clockNanos(Task t, int clock) throws SysError {
        switch (clock) {
            case 0: case 5: case 8:
                return t.realtimeNanos();
            case 1: case 4: case 6: case 7: case 9:
                return t.monotonicNanos();
            case 2:
                return t.processCpuNanos();
            case 3:
                return t.threadCpuNanos();
            default:
                throw new SysError(SysError.EINVAL);
        }
    }

    private long clockGettime(Task t, int clock, long address) throws SysError {
        long n = clockNanos(t, clock);
        t.memory().writeLong(address, n / 1_000_000_000L);
        t.memory().writeLong(address + 8, n % 1_000_000_000L);
        return 0;
    }

    private long gettimeofday(Task t, long address) throws SysError {
        if (address != 0) {
            long n = t.realtimeNanos();
            t.memory().writeLong(address, n / 1_000_000_000L);
            t.memory().writeLong(address + 8, n / 1000 % 1_000_000);
        }
        return 0;
    }

    long readTimespec(Task t, long address) throws SysError {
        long n = Layout.nanos(t.memory().readLong(address), t.memory().readLong(address + 8));
        if (n < 0) {
            throw new SysError(SysError.EINVAL);
        }
        return n;
    }

    private long nanosleep(Task t, long request, long remain) throws SysError {
        long n = readTimespec(t, request);
        long left = t.sleep(n);
        if (left > 0) {
            if (remain != 0) {
                t.memory().writeLong(remain, left / 1_000_000_000L);
                t.memory().writeLong(remain + 8, left % 1_000_000_000L);
            }
            throw new SysError(SysError.EINTR);
        }
        return 0;
    }

    private long clockNanosleep(Task t, int clock, int flags, long request, long remain) throws SysError {
        long n = readTimespec(t, request);
        if ((flags & 1) != 0) {
            n = Math.max(0, n - clockNanos(t, clock));
        } else {
            clockNanos(t, clock);
        }
        long left = t.sleep(n);
        if (left > 0) {
            if (remain != 0 && (flags & 1) == 0) {
                t.memory().writeLong(remain, left / 1_000_000_000L);
                t.memory().writeLong(remain + 8, left % 1_000_000_000L);
            }
            throw new SysError(SysError.EINTR);
        }
        return 0;
    }

    private long futex(Task t, Args a) throws SysError {
        int op = a.i1() & 0x7F;
        long address = a.a0();
        int value = a.i2();
        switch (op) {
            case 0: { // FUTEX_WAIT: relative timeout
                long timeout = a.a3() == 0 ? -1 : readTimespec(t, a.a3());
                wait(t, address, value, timeout);
                return 0;
            }
            case 9: { // FUTEX_WAIT_BITSET: absolute timeout
                long timeout = -1;
                if (a.a3() != 0) {
                    long deadline = readTimespec(t, a.a3());
                    long now = (a.i1() & 256) != 0 ? t.realtimeNanos() : t.monotonicNanos();
                    timeout = Math.max(0, deadline - now);
                }
                wait(t, address, value, timeout);
                return 0;
            }
            case 1:
            case 10:
                return t.futexWake(address, Math.max(0, value));
            case 3:
            case 4: { // REQUEUE, CMP_REQUEUE: the count to move comes where a timeout would
                int requeue = (int) a.a3();
                if (value < 0 || requeue < 0) {
                    throw new SysError(SysError.EINVAL);
                }
                return t.futexRequeue(address, value, a.a4(), requeue, op == 4, (int) a.a5());
            }
            case 5: // FUTEX_WAKE_OP
                return futexWakeOp(t, address, value, a.a4(), (int) a.a3(), FutexWakeOp.decode((int) a.a5()));
            default:
                throw new SysError(SysError.ENOSYS);
        }
    }

    /**
     * FUTEX_WAKE_OP: changes the second word, wakes up to {@code count} waiters of the first, and,
     * when the second word's old value passes the comparison, up to {@code count2} of the second.
     * Both words are checked first, and a bad comparison is found only after the change, as Linux
     * does (then nobody is woken).
     */
    private static long futexWakeOp(Task t, long address, int count, long address2, int count2, FutexWakeOp op)
            throws SysError {
        if ((address & 3) != 0 || (address2 & 3) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        op.checkOperation();
        // A read-modify-write that other CPUs' LOCKed instructions on the word cannot split.
        int old;
        do {
            old = t.memory().readInt(address2);
        } while (t.memory().compareAndExchangeInt(address2, old, op.apply(old)) != old);
        boolean wakeSecond = op.wakesSecond(old);
        int woken = t.futexWake(address, count);
        if (wakeSecond) {
            woken += t.futexWake(address2, count2);
        }
        return woken;
    }

    private static void wait(Task t, long address, int value, long timeout) throws SysError {
        try {
            t.futexWait(address, value, timeout);
        } catch (SysError e) {
            if (e.errno() == SysError.ERESTARTSYS) {
                throw new SysError(SysError.EINTR);
            }
            throw e;
        }
    }

    // --- signals ---------------------------------------------------------------------------------

    private long sigaction(Task t, int sig, long act, long oldAct) throws SysError {
        SignalAction old = t.signalAction(sig);
        if (act != 0) {
            UserMemory m = t.memory();
            SignalAction n = new SignalAction(m.readLong(act), m.readLong(act + 8), m.readLong(act + 16),
                    m.readLong(act + 24) & ~Signals.UNBLOCKABLE);
            t.setSignalAction(sig, n);
        }
        if (oldAct != 0) {
            ByteBuffer b = Layout.buffer(32);
            b.putLong(0, old.handler());
            b.putLong(8, old.flags());
            b.putLong(16, old.restorer());
            b.putLong(24, old.mask());
            t.memory().write(oldAct, b.array());
        }
        return 0;
    }

    private long sigprocmask(Task t, int how, long set, long oldSet) throws SysError {
        long old = t.signalMask();
        if (set != 0) {
            long s = t.memory().readLong(set);
            switch (how) {
                case 0:
                    t.setSignalMask(old | s);
                    break;
                case 1:
                    t.setSignalMask(old & ~s);
                    break;
                case 2:
                    t.setSignalMask(s);
                    break;
                default:
                    throw new SysError(SysError.EINVAL);
            }
        }
        if (oldSet != 0) {
            t.memory().writeLong(oldSet, old);
        }
        return 0;
    }

    private long sigaltstack(Task t, long ss, long oldSs) throws SysError {
        long[] cur = t.alternateStack();
        if (oldSs != 0) {
            ByteBuffer b = Layout.buffer(24);
            b.putLong(0, cur[0]);
            b.putInt(8, (int) cur[2]);
            b.putLong(16, cur[1]);
            t.memory().write(oldSs, b.array());
        }
        if (ss != 0) {
            long base = t.memory().readLong(ss);
            int flags = t.memory().readInt(ss + 8);
            long size = t.memory().readLong(ss + 16);
            if ((flags & ~2) != 0) {
                throw new SysError(SysError.EINVAL);
            }
            if ((flags & 2) == 0 && size < 2048) {
                throw new SysError(12); // ENOMEM: MINSIGSTKSZ
            }
            t.setAlternateStack(base, size, flags);
        }
        return 0;
    }

    /** sigcontext offsets within the ucontext (uc_mcontext at 40). */
    private static final int[] MCONTEXT_REGS = {
        Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15,
        Reg.RDI, Reg.RSI, Reg.RBP, Reg.RBX, Reg.RDX, Reg.RAX, Reg.RCX, Reg.RSP};
    private static final int UC_MCONTEXT = 40;
    private static final int UC_SIGMASK = 296;
    private static final int UCONTEXT_SIZE = 304;
    private static final int SIGINFO_SIZE = 128;
    private static final long USER_FLAGS = 0x40DD5L | 0x400;

    @Override
    public void enterSignalHandler(Task t, SignalAction action, SigInfo info, long blockedBefore) throws SysError {
        Cpu cpu = t.cpu();
        TrapFrame f = t.frame();
        long[] alt = t.alternateStack();
        long sp = f.rsp();
        boolean onAlt = alt[1] > 0 && (alt[2] & 2) == 0 && (action.flags() & SignalAction.SA_ONSTACK) != 0
                && !(sp > alt[0] && sp <= alt[0] + alt[1]);
        sp = onAlt ? alt[0] + alt[1] : sp - 128; // the red zone stays untouched
        long fpState = (sp - 512) & ~63L;
        // ucontext 16-aligned, so the return address below it leaves (rsp + 8) 16-aligned at
        // the handler's entry, as after a call; the siginfo sits between it and the FPU state.
        long uc = (fpState - SIGINFO_SIZE - UCONTEXT_SIZE) & ~15L;
        long frame = uc - 8;
        long infoAt = uc + UCONTEXT_SIZE;
        UserMemory m = t.memory();
        ByteBuffer b = Layout.buffer(8 + UCONTEXT_SIZE);
        b.putLong(0, action.restorer());
        int mc = 8 + UC_MCONTEXT;
        for (int i = 0; i < MCONTEXT_REGS.length; i++) {
            b.putLong(mc + 8 * i, cpu.reg(MCONTEXT_REGS[i]));
        }
        b.putLong(mc + 120, f.rsp());
        b.putLong(mc + 128, f.rip());
        b.putLong(mc + 136, f.rflags());
        b.putShort(mc + 144, (short) 0x33);
        b.putShort(mc + 150, (short) 0x2B);
        b.putLong(mc + 176, info.address());
        b.putLong(mc + 168, blockedBefore);
        b.putLong(mc + 184, fpState);
        b.putLong(8 + 16, alt[0]);
        b.putInt(8 + 24, (int) alt[2]);
        b.putLong(8 + 32, alt[1]);
        b.putLong(8 + UC_SIGMASK, blockedBefore);
        ByteBuffer si = Layout.buffer(SIGINFO_SIZE);
        si.putInt(0, info.signo());
        si.putInt(8, info.code());
        if (info.signo() == Signals.SIGSEGV || info.signo() == Signals.SIGBUS || info.signo() == Signals.SIGILL
                || info.signo() == Signals.SIGFPE || info.signo() == Signals.SIGTRAP) {
            si.putLong(16, info.address());
        } else {
            si.putInt(16, info.pid());
            si.putInt(20, info.uid());
            si.putInt(24, info.status());
        }
        m.write(fpState, cpu.saveFpuState());
        m.write(infoAt, si.array());
        m.write(frame, b.array());
        cpu.setReg(Reg.RDI, info.signo());
        cpu.setReg(Reg.RSI, infoAt);
        cpu.setReg(Reg.RDX, uc);
        cpu.setReg(Reg.RAX, 0);
        cpu.setReg(Reg.RSP, frame);
        f.setRsp(frame);
        f.setRip(action.handler());
        f.setRflags(f.rflags() & ~(0x100L | 0x400L | 0x40000L));
    }

    private void sigreturn(Task t) {
        Cpu cpu = t.cpu();
        TrapFrame f = t.frame();
        long uc = f.rsp();
        try {
            UserMemory m = t.memory();
            byte[] raw = m.read(uc, UCONTEXT_SIZE);
            ByteBuffer b = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int mc = UC_MCONTEXT;
            long fp = b.getLong(mc + 184);
            byte[] fpu = fp != 0 ? m.read(fp, 512) : null;
            for (int i = 0; i < MCONTEXT_REGS.length; i++) {
                cpu.setReg(MCONTEXT_REGS[i], b.getLong(mc + 8 * i));
            }
            f.setRsp(b.getLong(mc + 120));
            f.setRip(b.getLong(mc + 128));
            f.setRflags((f.rflags() & ~USER_FLAGS) | (b.getLong(mc + 136) & USER_FLAGS) | 2);
            if (fpu != null) {
                cpu.restoreFpuState(fpu);
            }
            t.setSignalMask(b.getLong(UC_SIGMASK));
        } catch (SysError e) {
            // A frame the program wrecked: as Linux, a SIGSEGV it cannot catch.
            try {
                t.setSignalAction(Signals.SIGSEGV, SignalAction.DEFAULT);
                t.setSignalMask(t.signalMask() & ~Signals.bit(Signals.SIGSEGV));
                t.killThread(t.pid(), t.tid(), Signals.SIGSEGV);
            } catch (SysError impossible) {
                t.exit(128 + Signals.SIGSEGV, true);
            }
        }
    }
}
