package org.alosj.fs.ext2.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * ext2's on-disk constants, named as the Linux ext2/ext4 headers and e2fsprogs name them: magic,
 * revisions, feature bits, reserved inode numbers, inode flags and directory file types.
 */
public final class Ext2 {
    private Ext2() {
    }

    public static final int EXT2_SUPER_MAGIC = 0xEF53;
    /** The superblock always sits 1024 bytes into the device, whatever the block size. */
    public static final int SUPERBLOCK_OFFSET = 1024;
    public static final int SUPERBLOCK_SIZE = 1024;
    public static final int EXT2_GOOD_OLD_REV = 0;
    public static final int EXT2_DYNAMIC_REV = 1;
    public static final int EXT2_GOOD_OLD_INODE_SIZE = 128;
    public static final int EXT2_GOOD_OLD_FIRST_INO = 11;
    public static final int GROUP_DESC_SIZE = 32;

    public static final int EXT2_BAD_INO = 1;
    public static final int EXT2_ROOT_INO = 2;
    public static final int EXT2_RESIZE_INO = 7;

    public static final int EXT2_NDIR_BLOCKS = 12;
    public static final int EXT2_IND_BLOCK = 12;
    public static final int EXT2_DIND_BLOCK = 13;
    public static final int EXT2_TIND_BLOCK = 14;
    public static final int EXT2_N_BLOCKS = 15;
    /** A symbolic link target shorter than this lives in i_block itself (a "fast" symlink). */
    public static final int FAST_SYMLINK_MAX = EXT2_N_BLOCKS * 4;
    public static final int EXT2_LINK_MAX = 32000;
    public static final int EXT2_NAME_LEN = 255;

    public static final int EXT2_VALID_FS = 1;
    public static final int EXT2_ERROR_FS = 2;
    public static final int EXT2_ERRORS_CONTINUE = 1;

    public static final int EXT2_INDEX_FL = 0x1000;
    public static final int EXT4_EXTENTS_FL = 0x80000;
    public static final int EXT4_INLINE_DATA_FL = 0x10000000;

    public static final int EXT2_FEATURE_COMPAT_DIR_PREALLOC = 0x0001;
    public static final int EXT2_FEATURE_COMPAT_IMAGIC_INODES = 0x0002;
    public static final int EXT3_FEATURE_COMPAT_HAS_JOURNAL = 0x0004;
    public static final int EXT2_FEATURE_COMPAT_EXT_ATTR = 0x0008;
    public static final int EXT2_FEATURE_COMPAT_RESIZE_INODE = 0x0010;
    public static final int EXT2_FEATURE_COMPAT_DIR_INDEX = 0x0020;

    public static final int EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER = 0x0001;
    public static final int EXT2_FEATURE_RO_COMPAT_LARGE_FILE = 0x0002;
    public static final int SUPPORTED_RO_COMPAT = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE;

    public static final int EXT2_FEATURE_INCOMPAT_FILETYPE = 0x0002;
    public static final int SUPPORTED_INCOMPAT = EXT2_FEATURE_INCOMPAT_FILETYPE;

    /** Directory entry file types (filetype feature). */
    public static final int EXT2_FT_UNKNOWN = 0;
    public static final int EXT2_FT_REG_FILE = 1;
    public static final int EXT2_FT_DIR = 2;
    public static final int EXT2_FT_CHRDEV = 3;
    public static final int EXT2_FT_BLKDEV = 4;
    public static final int EXT2_FT_FIFO = 5;
    public static final int EXT2_FT_SOCK = 6;
    public static final int EXT2_FT_SYMLINK = 7;

    /** Extended attribute block header magic (i_file_acl's block). */
    public static final int EXT2_EXT_ATTR_MAGIC = 0xEA020000;

    private static final String[] COMPAT_NAMES = {"dir_prealloc", "imagic_inodes", "has_journal", "ext_attr",
        "resize_inode", "dir_index", "lazy_bg", "exclude_inode", "exclude_bitmap", "sparse_super2",
        "fast_commit", "stable_inodes", "orphan_file"};
    private static final String[] RO_COMPAT_NAMES = {"sparse_super", "large_file", "btree_dir", "huge_file",
        "uninit_bg", "dir_nlink", "extra_isize", "has_snapshot", "quota", "bigalloc", "metadata_csum",
        "replica", "read-only", "project", "shared_blocks", "verity", "orphan_present"};
    private static final String[] INCOMPAT_NAMES = {"compression", "filetype", "needs_recovery", "journal_dev",
        "meta_bg", "0x20", "extent", "64bit", "mmp", "flex_bg", "ea_inode", "0x800", "dirdata",
        "metadata_csum_seed", "large_dir", "inline_data", "encrypt", "casefold"};

    public static String compatNames(int bits) {
        return names(COMPAT_NAMES, bits);
    }

    public static String roCompatNames(int bits) {
        return names(RO_COMPAT_NAMES, bits);
    }

    public static String incompatNames(int bits) {
        return names(INCOMPAT_NAMES, bits);
    }

    private static String names(String[] table, int bits) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(i < table.length ? table[i] : "0x" + Integer.toHexString(1 << i));
            }
        }
        return String.join(",", out);
    }

    /** Whether group {@code group} holds a superblock backup (and GDT copy). */
    public static boolean groupHasSuper(long group, boolean sparseSuper) {
        if (group <= 1 || !sparseSuper) {
            return true;
        }
        return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    private static boolean isPowerOf(long n, int base) {
        long p = base;
        while (p < n) {
            p *= base;
        }
        return p == n;
    }
}
