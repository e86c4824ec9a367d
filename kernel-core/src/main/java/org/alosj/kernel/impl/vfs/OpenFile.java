package org.alosj.kernel.impl.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * An open file description (Linux's struct file): the node, the flags it was opened with and
 * the offset, shared by every descriptor dup or fork made from it. What read and write do
 * depends on the kind: a filesystem's regular file, a directory (read through getdents), a
 * block device (bytes at any offset, whole sectors underneath) or /dev/null, /dev/zero and
 * /dev/random (with /dev/urandom: both never block, as Linux's since 5.6).
 */
final class OpenFile {
    enum Kind { FILE, DIRECTORY, BLOCK, NULL, ZERO, RANDOM }

    /** What /dev/random and /dev/urandom read: the JDK's strong generator, seeded by the host. */
    static final SecureRandom RANDOM = new SecureRandom();

    private static final int CHUNK = 64 * 1024;

    final Node node;
    final int flags;
    final Kind kind;
    final BlockDevice block;
    final VirtualFileSystem.OpenInode inode;
    long offset;
    int references = 1;
    List<DirEntry> listing;

    OpenFile(Node node, int flags, Kind kind, BlockDevice block, VirtualFileSystem.OpenInode inode) {
        this.node = node;
        this.flags = flags;
        this.kind = kind;
        this.block = block;
        this.inode = inode;
    }

    /** /dev/null, /dev/zero or /dev/random: no offset, nothing to seek. */
    boolean isCharacterDevice() {
        return kind == Kind.NULL || kind == Kind.ZERO || kind == Kind.RANDOM;
    }

    boolean readable() {
        return (flags & OpenFlags.O_ACCMODE) != OpenFlags.O_WRONLY;
    }

    boolean writable() {
        int acc = flags & OpenFlags.O_ACCMODE;
        return acc == OpenFlags.O_WRONLY || acc == OpenFlags.O_RDWR;
    }

    long blockSize() {
        return block.sectorCount() * block.sectorSize();
    }

    int readBlock(long pos, ByteBuffer dst) throws FsException {
        long size = blockSize();
        if (pos >= size || !dst.hasRemaining()) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), size - pos);
        int ss = block.sectorSize();
        int done = 0;
        try {
            while (done < n) {
                long at = pos + done;
                long lba = at / ss;
                int skip = (int) (at % ss);
                int want = Math.min(n - done, CHUNK);
                int sectors = (skip + want + ss - 1) / ss;
                ByteBuffer tmp = ByteBuffer.allocate(sectors * ss);
                block.read(lba, tmp);
                tmp.clear().position(skip).limit(skip + want);
                dst.put(tmp);
                done += want;
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, e.getMessage(), e);
        }
        return n;
    }

    int writeBlock(long pos, ByteBuffer src) throws FsException {
        long size = blockSize();
        if (!src.hasRemaining()) {
            return 0;
        }
        if (pos >= size) {
            throw new FsException(Errno.ENOSPC, "write past the end of the device");
        }
        int n = (int) Math.min(src.remaining(), size - pos);
        int ss = block.sectorSize();
        int done = 0;
        try {
            while (done < n) {
                long at = pos + done;
                long lba = at / ss;
                int skip = (int) (at % ss);
                int want = Math.min(n - done, CHUNK);
                int sectors = (skip + want + ss - 1) / ss;
                ByteBuffer tmp = ByteBuffer.allocate(sectors * ss);
                if (skip != 0 || want % ss != 0) {
                    block.read(lba, tmp); // partial sectors: read, change, write back
                    tmp.clear();
                }
                ByteBuffer part = src.slice(src.position(), want);
                tmp.position(skip);
                tmp.put(part);
                tmp.clear();
                block.write(lba, tmp);
                src.position(src.position() + want);
                done += want;
            }
        } catch (IOException e) {
            if (done > 0) {
                return done;
            }
            throw new FsException(Errno.EIO, e.getMessage(), e);
        }
        return n;
    }
}
