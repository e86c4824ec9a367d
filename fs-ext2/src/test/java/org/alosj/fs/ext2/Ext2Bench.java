package org.alosj.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.MountOptions;

/**
 * The ext2 benchmark (bench/ext2.sh runs it): through fs-ext2 over a file-backed BlockDevice,
 * sequential write and read of a 256 MiB file in 1 MiB calls, and small-file creation (1 KiB
 * each, 1,000 per directory), each round on a fresh image; prints every round and the medians.
 */
public final class Ext2Bench {
    private Ext2Bench() {
    }

    public static void main(String[] args) throws Exception {
        int blockSize = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int fileMiB = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int smallFiles = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        List<Double> writes = new ArrayList<>();
        List<Double> reads = new ArrayList<>();
        List<Double> creates = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double[] r = round(blockSize, fileMiB, smallFiles);
            writes.add(r[0]);
            reads.add(r[1]);
            creates.add(r[2]);
            System.out.printf("round %d: write %.0f MiB/s, read %.0f MiB/s, small files %.0f/s%n", round, r[0], r[1], r[2]);
        }
        System.out.printf("block size %d, %d MiB file, %d small files, median of %d rounds:%n", blockSize, fileMiB,
            smallFiles, rounds);
        System.out.printf("  sequential write (1 MiB writes, then sync): %.0f MiB/s%n", median(writes));
        System.out.printf("  sequential read (1 MiB reads, fresh mount, host page cache warm): %.0f MiB/s%n", median(reads));
        System.out.printf("  small-file creation (create + 1 KiB write, then sync): %.0f files/s%n", median(creates));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static double[] round(int blockSize, int fileMiB, int smallFiles) throws Exception {
        Path dir = Files.createTempDirectory("ext2bench");
        Path image = dir.resolve("bench.img");
        double[] result = new double[3];
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
                result[0] = fileMiB / ((System.nanoTime() - t0) / 1e9);
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
                result[1] = fileMiB / ((System.nanoTime() - t0) / 1e9);
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
                result[2] = smallFiles / ((System.nanoTime() - t2) / 1e9);
                fs.unmount();
            }
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(dir);
        }
        return result;
    }
}
