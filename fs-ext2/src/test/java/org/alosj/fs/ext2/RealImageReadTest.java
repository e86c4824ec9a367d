package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images the real mkfs.ext2 -d makes from a host tree (1 and 4 KiB blocks; the plain feature set
 * and mke2fs's defaults, which add dir_index, resize_inode, ext_attr and 256-byte inodes) read
 * back through our ext2 byte for byte: contents (sha256), holes, symlinks, hard links, modes, and
 * a directory of 2,000 entries.
 */
@Timeout(300)
class RealImageReadTest {
    @TempDir
    static Path work;
    static Path tree;

    @BeforeAll
    static void buildTree() throws Exception {
        tree = work.resolve("tree");
        Trees.build(tree);
    }

    @ParameterizedTest(name = "{0}-byte blocks, plain features: {1}")
    @CsvSource({"1024, true", "1024, false", "4096, true", "4096, false"})
    void mkfsExt2ImageReadsBackIdentical(int blockSize, boolean plain) throws Exception {
        Path image = work.resolve("real-" + blockSize + "-" + plain + ".img");
        E2fsprogs.mkfs(image, 96 * 1024, blockSize, plain, tree);
        if (!plain) {
            E2fsprogs.indexDirectories(image, "/many");
        }
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "real", MountOptions.readOnlyMount());
            assertEquals(blockSize, fs.statfs().blockSize());
            Trees.assertSame(tree, fs, fs.rootIno(), true, new HashMap<>());
            long big = Trees.resolve(fs, "big-sparse");
            assertTrue(fs.getattr(big).size() > Trees.TRIPLE_INDIRECT_1K, "big-sparse reaches the triple indirect range");
            assertEquals(2002, fs.readdir(Trees.resolve(fs, "many")).size());
            fs.unmount();
        }
    }

    @ParameterizedTest(name = "{0}-byte blocks, plain features: {1}")
    @CsvSource({"1024, true", "4096, false"})
    void mkfsExt2ImageMountsReadWriteAndStaysClean(int blockSize, boolean plain) throws Exception {
        Path image = work.resolve("rw-" + blockSize + "-" + plain + ".img");
        E2fsprogs.mkfs(image, 96 * 1024, blockSize, plain, tree);
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "real", MountOptions.readWrite());
            Trees.assertSame(tree, fs, fs.rootIno(), true, new HashMap<>());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }
}
