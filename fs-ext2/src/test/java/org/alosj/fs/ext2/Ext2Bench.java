package org.alosj.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.MountOptions;

/**
 * The ext2 benchmark (bench/ext2.sh runs it): through fs-ext2 over a file-backed BlockDevice,
 * sequential write and read of a 256 MiB file in 1 MiB calls, and small-file creation (1 KiB
 * each, 1,000 per directory). Prints figures; asserts nothing.
 */
public final class Ext2Bench {
    private Ext2Bench() {
    }

    public static void main(String[] args) throws Exception {
        int blockSize = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int fileMiB = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int smallFiles = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Path dir = Files.createTempDirectory("ext2bench");
        Path image = dir.resolve("bench.img");
        try {
            new Mkfs().formatImage(image, (fileMiB + 256L) << 20, Mkfs.Options.defaults().withBlockSize(blockSize));
            byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
                FileSystem fs = new Ext2FileSystemType().mount(dev, "bench", MountOptions.readWrite());
                long f = fs.create(fs.rootIno(), "big", FileType.REGULAR, 0644, 0, 0);
                long t0 = System.nanoTime();
                for (long off = 0; off < (long) fileMiB << 20; off += chunk.length) {
                    fs.write(f, off, ByteBuffer.wrap(chunk));
                }
                fs.sync();
                long t1 = System.nanoTime();
                report("sequential write " + fileMiB + " MiB (1 MiB writes, then sync)", fileMiB, t1 - t0);
                fs.unmount();
            }
            try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
                FileSystem fs = new Ext2FileSystemType().mount(dev, "bench", MountOptions.readWrite());
                long f = fs.lookup(fs.rootIno(), "big");
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long t0 = System.nanoTime();
                long total = 0;
                while (true) {
                    buf.clear();
                    int n = fs.read(f, total, buf);
                    if (n == 0) {
                        break;
                    }
                    total += n;
                }
                long t1 = System.nanoTime();
                report("sequential read " + fileMiB + " MiB (1 MiB reads, fresh mount, host page cache warm)",
                    fileMiB, t1 - t0);
                byte[] small = new byte[1024];
                long t2 = System.nanoTime();
                long d = 0;
                for (int i = 0; i < smallFiles; i++) {
                    if (i % 1000 == 0) {
                        d = fs.create(fs.rootIno(), "d" + i / 1000, FileType.DIRECTORY, 0755, 0, 0);
                    }
                    long s = fs.create(d, "file-" + i, FileType.REGULAR, 0644, 0, 0);
                    fs.write(s, 0, ByteBuffer.wrap(small));
                }
                fs.sync();
                long t3 = System.nanoTime();
                System.out.printf("small files: %d files of 1 KiB created (1,000 per directory) in %.0f ms: %.0f files/s%n",
                    smallFiles, (t3 - t2) / 1e6, smallFiles / ((t3 - t2) / 1e9));
                fs.unmount();
            }
            System.out.printf("(block size %d bytes, image %s)%n", blockSize, image);
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(dir);
        }
    }

    private static void report(String what, int mib, long nanos) {
        System.out.printf("%s: %.0f ms, %.1f MiB/s%n", what, nanos / 1e6, mib / (nanos / 1e9));
    }
}
