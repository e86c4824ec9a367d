package org.alosj.abi.linux.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.vfs.DeviceNumbers;
import org.alosj.kernel.vfs.FileStatus;

/** Linux x86-64 structure layouts the calls exchange: stat, statx, statfs, dirent64, timespec. */
final class Layout {
    static final int STAT_SIZE = 144;
    static final int STATX_SIZE = 256;
    static final int STATFS_SIZE = 120;

    private Layout() {
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] stat(FileStatus st) {
        FileAttributes a = st.attributes();
        ByteBuffer b = buffer(STAT_SIZE);
        b.putLong(0, st.device());
        b.putLong(8, a.ino());
        b.putLong(16, a.links());
        b.putInt(24, a.mode());
        b.putInt(28, a.uid());
        b.putInt(32, a.gid());
        b.putLong(40, a.rdev());
        b.putLong(48, a.size());
        b.putLong(56, 4096);
        b.putLong(64, a.blocks());
        time(b, 72, a.accessed());
        time(b, 88, a.modified());
        time(b, 104, a.changed());
        return b.array();
    }

    /** A stat for something outside the VFS (a pipe, the terminal, a socket). */
    static byte[] anonymousStat(int modeType, int permissions, long ino, long rdev, Instant when) {
        ByteBuffer b = buffer(STAT_SIZE);
        b.putLong(8, ino);
        b.putLong(16, 1);
        b.putInt(24, modeType | permissions);
        b.putLong(40, rdev);
        b.putLong(56, 4096);
        time(b, 72, when);
        time(b, 88, when);
        time(b, 104, when);
        return b.array();
    }

    private static void time(ByteBuffer b, int at, Instant t) {
        b.putLong(at, t.getEpochSecond());
        b.putLong(at + 8, t.getNano());
    }

    static byte[] statx(FileStatus st) {
        FileAttributes a = st.attributes();
        ByteBuffer b = buffer(STATX_SIZE);
        b.putInt(0, 0x7FF); // STATX_BASIC_STATS
        b.putInt(4, 4096);
        b.putInt(16, a.links());
        b.putInt(20, a.uid());
        b.putInt(24, a.gid());
        b.putShort(28, (short) a.mode());
        b.putLong(32, a.ino());
        b.putLong(40, a.size());
        b.putLong(48, a.blocks());
        statxTime(b, 64, a.accessed());
        statxTime(b, 80, a.changed());
        statxTime(b, 96, a.changed());
        statxTime(b, 112, a.modified());
        b.putInt(128, DeviceNumbers.major(a.rdev()));
        b.putInt(132, DeviceNumbers.minor(a.rdev()));
        b.putInt(136, DeviceNumbers.major(st.device()));
        b.putInt(140, DeviceNumbers.minor(st.device()));
        return b.array();
    }

    private static void statxTime(ByteBuffer b, int at, Instant t) {
        b.putLong(at, t.getEpochSecond());
        b.putInt(at + 8, t.getNano());
    }

    static byte[] statfs(FsStats s) {
        ByteBuffer b = buffer(STATFS_SIZE);
        b.putLong(0, magic(s.type()));
        b.putLong(8, s.blockSize());
        b.putLong(16, s.totalBlocks());
        b.putLong(24, s.freeBlocks());
        b.putLong(32, s.available());
        b.putLong(40, s.totalInodes());
        b.putLong(48, s.freeInodes());
        b.putLong(64, s.maxNameLength());
        b.putLong(72, s.blockSize());
        return b.array();
    }

    private static long magic(String type) {
        switch (type) {
            case "ext2":
                return 0xEF53;
            case "ramfs":
                return 0x858458F6L;
            case "tmpfs":
                return 0x01021994;
            case "devfs":
                return 0x1373;
            case "proc":
                return 0x9FA0;
            default:
                return 0x858458F6L;
        }
    }

    static int direntType(FileType t) {
        if (t == null) {
            return 0;
        }
        switch (t) {
            case FIFO:
                return 1;
            case CHARACTER_DEVICE:
                return 2;
            case DIRECTORY:
                return 4;
            case BLOCK_DEVICE:
                return 6;
            case REGULAR:
                return 8;
            case SYMLINK:
                return 10;
            case SOCKET:
                return 12;
            default:
                return 0;
        }
    }

    /** timespec {sec, nsec} to nanoseconds; -1 if malformed. */
    static long nanos(long sec, long nsec) {
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) {
            return -1;
        }
        if (sec > Long.MAX_VALUE / 1_000_000_000L - 1) {
            return Long.MAX_VALUE;
        }
        return sec * 1_000_000_000L + nsec;
    }
}
