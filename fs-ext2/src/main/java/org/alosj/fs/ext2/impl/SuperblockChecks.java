package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks before a mount: the superblock read from byte 1024 and its fields checked against
 * each other, then the volume against the device (sector size, length, read-only) and the
 * feature flags against what this ext2 supports. Any failure is an FsException naming the field.
 */
final class SuperblockChecks {
    // Logs under the filesystem's name, as operators configure it.
    private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);

    private SuperblockChecks() {
    }

    static Superblock readSuperblock(BlockDevice device, String prefix) throws FsException {
        int sector = device.sectorSize();
        long bytes = device.sectorCount() * sector;
        // Whole sectors from the start of the device up to the superblock's end, whatever the sector size.
        int span = (Ext2.SUPERBLOCK_OFFSET + Ext2.SUPERBLOCK_SIZE + sector - 1) / sector * sector;
        if (sector <= 0 || bytes < span) {
            throw new FsException(Errno.EINVAL, prefix + "the device (" + bytes + " bytes) is too small for an ext2 superblock");
        }
        ByteBuffer buf = ByteBuffer.allocate(span);
        try {
            device.read(0, buf);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, prefix + "cannot read the superblock: " + e.getMessage(), e);
        }
        Superblock sb = new Superblock(java.util.Arrays.copyOfRange(buf.array(), Ext2.SUPERBLOCK_OFFSET,
            Ext2.SUPERBLOCK_OFFSET + Ext2.SUPERBLOCK_SIZE));
        if (sb.magic() != Ext2.EXT2_SUPER_MAGIC) {
            throw new FsException(Errno.EINVAL, prefix + "no ext2 superblock (magic 0x" + Integer.toHexString(sb.magic())
                + " at byte 1080, expected 0xef53)");
        }
        String bad = null;
        if (sb.revLevel() > Ext2.EXT2_DYNAMIC_REV) {
            bad = "revision " + sb.revLevel() + " (0 and 1 are known)";
        } else if (sb.logBlockSize() > 6) {
            bad = "s_log_block_size " + sb.logBlockSize() + " (block size over 64 KiB)";
        } else if (sb.firstDataBlock() != (sb.blockSize() == 1024 ? 1 : 0)) {
            bad = "s_first_data_block " + sb.firstDataBlock() + " with " + sb.blockSize() + "-byte blocks";
        } else if (sb.blocksPerGroup() == 0 || sb.blocksPerGroup() > 8L * sb.blockSize()) {
            bad = "s_blocks_per_group " + sb.blocksPerGroup();
        } else if (sb.inodesPerGroup() == 0 || sb.inodesPerGroup() > 8L * sb.blockSize()) {
            bad = "s_inodes_per_group " + sb.inodesPerGroup();
        } else if (sb.inodeSize() < Ext2.EXT2_GOOD_OLD_INODE_SIZE || sb.inodeSize() > sb.blockSize()
            || Integer.bitCount(sb.inodeSize()) != 1) {
            bad = "s_inode_size " + sb.inodeSize();
        } else if (sb.blocksCount() <= sb.firstDataBlock()) {
            bad = "s_blocks_count " + sb.blocksCount();
        } else if (sb.inodesCount() != sb.groupCount() * sb.inodesPerGroup()) {
            bad = "s_inodes_count " + sb.inodesCount() + " is not " + sb.groupCount() + " groups of "
                + sb.inodesPerGroup() + " inodes";
        } else if (sb.firstIno() < Ext2.EXT2_GOOD_OLD_FIRST_INO || sb.firstIno() > sb.inodesCount()) {
            bad = "s_first_ino " + sb.firstIno();
        } else if ((sb.groupCount() * Ext2.GROUP_DESC_SIZE + sb.blockSize() - 1) / sb.blockSize()
            >= sb.blocksPerGroup()) {
            bad = "group descriptors do not fit group 0";
        }
        if (bad != null) {
            throw new FsException(Errno.EUCLEAN, prefix + "corrupt superblock: " + bad);
        }
        return sb;
    }

    /** Whether the checked superblock {@code sb} can be mounted from {@code device} as asked. */
    static void checkMountable(BlockDevice device, Superblock sb, boolean readOnly, String prefix) throws FsException {
        int bs = sb.blockSize();
        if (bs % device.sectorSize() != 0) {
            throw new FsException(Errno.EINVAL, prefix + "block size " + bs + " is not a multiple of the "
                + device.sectorSize() + "-byte sectors");
        }
        long deviceBlocks = device.sectorCount() * device.sectorSize() / bs;
        if (sb.blocksCount() > deviceBlocks) {
            throw new FsException(Errno.EUCLEAN, prefix + "the filesystem has " + sb.blocksCount()
                + " blocks but the device holds only " + deviceBlocks + " (truncated image?)");
        }
        int incompat = sb.featureIncompat() & ~Ext2.SUPPORTED_INCOMPAT;
        if (incompat != 0) {
            throw new FsException(Errno.EINVAL, prefix + "unsupported incompatible feature(s): "
                + Ext2.incompatNames(incompat) + " (this is not a plain ext2 filesystem)");
        }
        int roCompat = sb.featureRoCompat() & ~Ext2.SUPPORTED_RO_COMPAT;
        if (roCompat != 0 && !readOnly) {
            throw new FsException(Errno.EROFS, prefix + "feature(s) " + Ext2.roCompatNames(roCompat)
                + " can only be read by this ext2: mount it read-only");
        }
        if (!readOnly && device.readOnly()) {
            throw new FsException(Errno.EROFS, prefix + "the device is read-only: mount it read-only");
        }
        if ((sb.featureCompat() & Ext2.EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0) {
            LOG.warn("{}has a journal (ext3); it is mounted as ext2, the journal is not used", prefix);
        }
    }
}
