package org.alosj.kernel.proc;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A process's memory as the kernel reaches it: every address is checked against the mappings
 * and faulted in as the program's own access would be; anything else is {@link SysError#EFAULT}.
 */
@ProviderType
public interface UserMemory {
    void read(long address, byte[] dst, int offset, int length) throws SysError;

    void write(long address, byte[] src, int offset, int length) throws SysError;

    default byte[] read(long address, int length) throws SysError {
        byte[] b = new byte[length];
        read(address, b, 0, length);
        return b;
    }

    default void write(long address, byte[] src) throws SysError {
        write(address, src, 0, src.length);
    }

    /** Reads {@code dst.remaining()} bytes into a heap buffer, advancing its position. */
    default void read(long address, ByteBuffer dst) throws SysError {
        int n = dst.remaining();
        read(address, dst.array(), dst.arrayOffset() + dst.position(), n);
        dst.position(dst.position() + n);
    }

    /**
     * How many bytes from {@code address}, up to {@code length}, the program could write: those
     * in writable mappings (or in stack it may grow into), found without touching a page. A call
     * that takes data from somewhere it cannot put it back (a pipe, a socket) takes no more than
     * this, so a bad buffer loses nothing. EFAULT when not even the first byte could be written,
     * or when the range leaves the user half.
     */
    long writable(long address, long length) throws SysError;

    long readLong(long address) throws SysError;

    int readInt(long address) throws SysError;

    void writeLong(long address, long value) throws SysError;

    void writeInt(long address, int value) throws SysError;

    /**
     * Atomically stores {@code value} in the aligned int at {@code address} if it holds
     * {@code expected}, as a LOCK CMPXCHG by another CPU would; returns what it held. EINVAL if
     * the address is not 4-byte aligned, EFAULT if it is not writable user memory. (1.3)
     */
    int compareAndExchangeInt(long address, int expected, int value) throws SysError;

    /** A NUL-terminated string of at most {@code max} bytes (ENAMETOOLONG beyond), UTF-8. */
    String readString(long address, int max) throws SysError;

    /** A NULL-terminated array of string pointers (argv, envp), E2BIG past {@code maxTotal} bytes. */
    java.util.List<String> readStringArray(long address, int maxTotal) throws SysError;
}
