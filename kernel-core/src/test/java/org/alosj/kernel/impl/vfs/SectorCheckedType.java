package org.alosj.kernel.impl.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.fs.MountOptions;

/**
 * A device filesystem type for the VFS tests until ext2 is on the build: its superblock is the
 * magic "SECTORFS" in sector 0, checked at mount; the files live in a ramfs, and every call
 * reads sector 0 first and every change writes it, so what happens to the device (gone,
 * failing) shows in the filesystem as it would with ext2. {@code boom} in a name makes the
 * type throw a RuntimeException, as a buggy filesystem would.
 */
final class SectorCheckedType implements FileSystemType {
    static final byte[] MAGIC = "SECTORFS".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "sectorfs";
    }

    @Override
    public boolean requiresDevice() {
        return true;
    }

    static void format(BlockDevice d) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(d.sectorSize());
        b.put(MAGIC).clear();
        d.write(0, b);
    }

    @Override
    public FileSystem mount(BlockDevice device, String deviceName, MountOptions options) throws FsException {
        ByteBuffer b = ByteBuffer.allocate(device.sectorSize());
        try {
            device.read(0, b);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, deviceName + ": " + e.getMessage());
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                throw new FsException(Errno.EINVAL, deviceName + ": no sectorfs superblock");
            }
        }
        return new Fs(device, new RamFs(options.readOnly(), 1 << 20, Instant::now));
    }

    private static final class Fs implements FileSystem {
        final BlockDevice device;
        final RamFs files;

        Fs(BlockDevice device, RamFs files) {
            this.device = device;
            this.files = files;
        }

        void touchDevice(boolean write) throws FsException {
            ByteBuffer b = ByteBuffer.allocate(device.sectorSize());
            try {
                device.read(0, b);
                if (write) {
                    b.clear();
                    device.write(0, b);
                }
            } catch (IOException e) {
                throw new FsException(Errno.EIO, "sectorfs: " + e.getMessage());
            }
        }

        static void boom(String name) {
            if (name.contains("boom")) {
                throw new IllegalStateException("sectorfs bug on " + name);
            }
        }

        @Override public String typeName() { return "sectorfs"; }
        @Override public long rootIno() { return files.rootIno(); }
        @Override public boolean readOnly() { return files.readOnly(); }
        @Override public FileAttributes getattr(long ino) throws FsException { touchDevice(false); return files.getattr(ino); }
        @Override public void setattr(long ino, AttributeChanges c) throws FsException { touchDevice(true); files.setattr(ino, c); }
        @Override public long lookup(long dir, String name) throws FsException { boom(name); touchDevice(false); return files.lookup(dir, name); }
        @Override public List<DirEntry> readdir(long dir) throws FsException { touchDevice(false); return files.readdir(dir); }
        @Override public long create(long dir, String name, FileType type, int perm, int uid, int gid) throws FsException {
            boom(name); touchDevice(true); return files.create(dir, name, type, perm, uid, gid);
        }
        @Override public long symlink(long dir, String name, String target, int uid, int gid) throws FsException { touchDevice(true); return files.symlink(dir, name, target, uid, gid); }
        @Override public void link(long dir, String name, long ino) throws FsException { touchDevice(true); files.link(dir, name, ino); }
        @Override public void unlink(long dir, String name) throws FsException { touchDevice(true); files.unlink(dir, name); }
        @Override public void rmdir(long dir, String name) throws FsException { touchDevice(true); files.rmdir(dir, name); }
        @Override public void rename(long a, String an, long b, String bn) throws FsException { touchDevice(true); files.rename(a, an, b, bn); }
        @Override public String readlink(long ino) throws FsException { return files.readlink(ino); }
        @Override public int read(long ino, long off, ByteBuffer dst) throws FsException { touchDevice(false); return files.read(ino, off, dst); }
        @Override public int write(long ino, long off, ByteBuffer src) throws FsException { touchDevice(true); return files.write(ino, off, src); }
        @Override public void truncate(long ino, long size) throws FsException { touchDevice(true); files.truncate(ino, size); }
        @Override public void retain(long ino) throws FsException { files.retain(ino); }
        @Override public void release(long ino) throws FsException { files.release(ino); }
        @Override public FsStats statfs() throws FsException { return files.statfs(); }
        @Override public void sync() throws FsException {
            try {
                device.flush();
            } catch (IOException e) {
                throw new FsException(Errno.EIO, "sectorfs: " + e.getMessage());
            }
        }
        @Override public void unmount() throws FsException { sync(); files.unmount(); }
    }
}
