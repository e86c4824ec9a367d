package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.proc.AddressSpace.Vma;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * The mmap family's checks and placement (mmap, munmap, mprotect, mremap) on a thread's address
 * space, with Linux's flags and errors. File mappings are private: their pages are a snapshot of
 * the file read through the VFS when mapped.
 */
final class MemoryMaps {
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_FIXED = 0x10;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_GROWSDOWN = 0x100;
    static final int MAP_FIXED_NOREPLACE = 0x100000;
    static final int MREMAP_MAYMOVE = 1;
    static final int MREMAP_FIXED = 2;

    private MemoryMaps() {
    }

    static long mmap(TaskImpl t, long address, long length, int prot, int flags, OpenFile file, long offset)
            throws SysError {
        int type = flags & 3;
        if (length <= 0 || (offset & (AddressSpace.PAGE - 1)) != 0 || type == 0 || (prot & ~7) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        long len = AddressSpace.pageUp(length);
        if (len <= 0 || len > AddressSpace.USER_END) {
            throw new SysError(SysError.ENOMEM);
        }
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        AddressSpace.PageSource source = null;
        long fileEnd = 0;
        String name = anonymous ? null : "file";
        if (!anonymous) {
            OpenFile.VfsHandle h = file == null ? null : file.vfs();
            if (h == null) {
                throw new SysError(file == null ? SysError.EBADF : SysError.ENODEV);
            }
            if ((file.statusFlags() & OpenFlags.O_ACCMODE) == OpenFlags.O_WRONLY) {
                throw new SysError(SysError.EACCES);
            }
            if (type == MAP_SHARED && (prot & AddressSpace.PROT_WRITE) != 0) {
                // Written pages would have to go back to the file: not done here.
                throw new SysError(SysError.ENODEV, "shared writable file mappings are not supported");
            }
            if (len > ExecLoader.MAX_IMAGE_BYTES) {
                throw new SysError(SysError.ENOMEM);
            }
            byte[] snapshot = new byte[(int) len];
            int done = 0;
            try {
                while (done < snapshot.length) {
                    int n = h.context().pread(h.fd(), ByteBuffer.wrap(snapshot, done, snapshot.length - done),
                            offset + done);
                    if (n <= 0) {
                        break;
                    }
                    done += n;
                }
            } catch (FsException e) {
                throw VfsFile.error(e);
            }
            int size = done;
            source = (off, dst, at, n) -> {
                long rel = off - offset;
                if (rel < size) {
                    System.arraycopy(snapshot, (int) rel, dst, at, (int) Math.min(n, size - rel));
                }
            };
            name = h.path();
        }
        AddressSpace as = t.process.addressSpace();
        long at;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            if ((address & (AddressSpace.PAGE - 1)) != 0 || address < AddressSpace.MMAP_MIN
                    || address + len > AddressSpace.USER_END) {
                throw new SysError(SysError.EINVAL);
            }
            if ((flags & MAP_FIXED) == 0 && !as.isFree(address, address + len)) {
                throw new SysError(SysError.EEXIST);
            }
            as.unmap(address, address + len);
            at = address;
        } else if (address != 0 && (address & (AddressSpace.PAGE - 1)) == 0 && as.isFree(address, address + len)) {
            at = address;
        } else {
            at = as.findFree(len);
            if (at < 0) {
                throw new SysError(SysError.ENOMEM);
            }
        }
        as.map(new Vma(at, at + len, prot, type == MAP_SHARED && anonymous, (flags & MAP_GROWSDOWN) != 0, source,
                offset, source == null ? 0 : at + len, name));
        return at;
    }

    static void munmap(TaskImpl t, long address, long length) throws SysError {
        if ((address & (AddressSpace.PAGE - 1)) != 0 || length <= 0 || address + length > AddressSpace.USER_END
                || address < 0) {
            throw new SysError(SysError.EINVAL);
        }
        t.process.addressSpace().unmap(address, address + AddressSpace.pageUp(length));
    }

    static void mprotect(TaskImpl t, long address, long length, int prot) throws SysError {
        if ((address & (AddressSpace.PAGE - 1)) != 0 || length < 0 || (prot & ~(7 | 0x0100_0000)) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        if (length == 0) {
            return;
        }
        long end = address + AddressSpace.pageUp(length);
        if (end > AddressSpace.USER_END || end < address) {
            throw new SysError(SysError.ENOMEM);
        }
        t.process.addressSpace().protect(address, end, prot & 7);
    }

    static long mremap(TaskImpl t, long old, long oldLength, long newLength, int flags, long newAddress) throws SysError {
        if ((old & (AddressSpace.PAGE - 1)) != 0 || newLength <= 0 || (flags & ~3) != 0
                || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)) {
            throw new SysError(SysError.EINVAL);
        }
        long oldLen = AddressSpace.pageUp(oldLength);
        long newLen = AddressSpace.pageUp(newLength);
        AddressSpace as = t.process.addressSpace();
        Vma v = as.find(old);
        if (v == null || old + oldLen > v.end) {
            throw new SysError(SysError.EFAULT);
        }
        if ((flags & MREMAP_FIXED) == 0) {
            if (newLen <= oldLen) {
                if (newLen < oldLen) {
                    as.unmap(old + newLen, old + oldLen);
                }
                return old;
            }
            if (as.growInPlace(old, old + oldLen, old + newLen)) {
                return old;
            }
            if ((flags & MREMAP_MAYMOVE) == 0) {
                throw new SysError(SysError.ENOMEM);
            }
        }
        long dst;
        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddress & (AddressSpace.PAGE - 1)) != 0) {
                throw new SysError(SysError.EINVAL);
            }
            dst = newAddress;
            as.unmap(dst, dst + newLen);
        } else {
            dst = as.findFree(newLen);
            if (dst < 0) {
                throw new SysError(SysError.ENOMEM);
            }
        }
        long keep = Math.min(oldLen, newLen);
        try {
            as.move(old, keep, dst);
        } catch (OutOfMemory oom) {
            throw new SysError(SysError.ENOMEM);
        }
        if (oldLen > keep) {
            as.unmap(old + keep, old + oldLen);
        }
        if (newLen > keep) {
            as.growInPlace(dst, dst + keep, dst + newLen);
        }
        return dst;
    }
}
