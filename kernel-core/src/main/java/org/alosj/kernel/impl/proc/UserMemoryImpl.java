package org.alosj.kernel.impl.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.UserMemory;

/**
 * copy_from_user / copy_to_user: page by page through the process's own page tables, each
 * page faulted in as the program's access would be; what the program could not reach is EFAULT.
 * Writes drop any code the CPU decoded from the bytes they change.
 */
final class UserMemoryImpl implements UserMemory {
    private static final long PAGE = AddressSpace.PAGE;
    private final TaskImpl task;

    UserMemoryImpl(TaskImpl task) {
        this.task = task;
    }

    private MemoryBus bus() {
        return task.process.addressSpace().frames().bus();
    }

    private static void check(long address, long length) throws SysError {
        if (length < 0 || address < 0 || address + length > AddressSpace.USER_END || address + length < address) {
            throw new SysError(SysError.EFAULT);
        }
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) throws SysError {
        check(address, length);
        AddressSpace as = task.process.addressSpace();
        MemoryBus bus = bus();
        int done = 0;
        while (done < length) {
            long va = address + done;
            int n = (int) Math.min(length - done, PAGE - (va & (PAGE - 1)));
            long pa = as.translate(va, false);
            bus.read(pa, dst, offset + done, n);
            done += n;
        }
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) throws SysError {
        check(address, length);
        AddressSpace as = task.process.addressSpace();
        MemoryBus bus = bus();
        int done = 0;
        while (done < length) {
            long va = address + done;
            int n = (int) Math.min(length - done, PAGE - (va & (PAGE - 1)));
            long pa = as.translate(va, true);
            bus.write(pa, src, offset + done, n);
            task.cpu.invalidateCode(pa, n);
            done += n;
        }
    }

    @Override
    public long writable(long address, long length) throws SysError {
        check(address, length);
        long n = task.process.addressSpace().writableSpan(address, length);
        if (n == 0 && length > 0) {
            throw new SysError(SysError.EFAULT);
        }
        return n;
    }

    @Override
    public long readLong(long address) throws SysError {
        if ((address & 7) == 0) {
            check(address, 8);
            return bus().readLong(task.process.addressSpace().translate(address, false));
        }
        byte[] b = read(address, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    @Override
    public int readInt(long address) throws SysError {
        if ((address & 3) == 0) {
            check(address, 4);
            return bus().readInt(task.process.addressSpace().translate(address, false));
        }
        byte[] b = read(address, 4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    @Override
    public int compareAndExchangeInt(long address, int expected, int value) throws SysError {
        if ((address & 3) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        check(address, 4);
        long pa = task.process.addressSpace().translate(address, true);
        MemoryBus bus = bus();
        long offset = bus.ramOffset(pa);
        if (offset < 0) {
            throw new SysError(SysError.EFAULT);
        }
        int witness = bus.ram().compareAndExchangeInt(offset, expected, value);
        if (witness == expected) {
            task.cpu.invalidateCode(pa, 4);
        }
        return witness;
    }

    @Override
    public void writeLong(long address, long value) throws SysError {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        write(address, b);
    }

    @Override
    public void writeInt(long address, int value) throws SysError {
        write(address, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    @Override
    public String readString(long address, int max) throws SysError {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long va = address;
        while (out.size() <= max) {
            int n = (int) (PAGE - (va & (PAGE - 1)));
            byte[] chunk = read(va, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    out.write(chunk, 0, i);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            out.write(chunk, 0, n);
            va += n;
        }
        throw new SysError(SysError.ENAMETOOLONG);
    }

    @Override
    public List<String> readStringArray(long address, int maxTotal) throws SysError {
        List<String> out = new ArrayList<>();
        if (address == 0) {
            return out;
        }
        int total = 0;
        for (long p = address;; p += 8) {
            long s = readLong(p);
            if (s == 0) {
                return out;
            }
            String str = readString(s, maxTotal);
            total += str.length() + 1 + 8;
            if (total > maxTotal) {
                throw new SysError(SysError.E2BIG);
            }
            out.add(str);
        }
    }
}
