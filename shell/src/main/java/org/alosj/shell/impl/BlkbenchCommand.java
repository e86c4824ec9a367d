package org.alosj.shell.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.alosj.kernel.device.BlockDevice;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.CollectionType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code blkbench}: raw sequential write and read speed of a BlockDevice, in large requests,
 * below any filesystem. It overwrites the start of the device: for scratch disks only.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = BlkbenchCommand.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=blkbench",
})
public final class BlkbenchCommand {
    static final int REQUEST = 1 << 20;

    @Reference(service = BlockDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, collectionType = CollectionType.TUPLE)
    private volatile List<Map.Entry<Map<String, Object>, BlockDevice>> devices;

    @Descriptor("raw sequential write then read speed of a block device, in 1 MiB requests:\n"
            + "  blkbench DEVICE MIB -- OVERWRITES the first MIB MiB of DEVICE; checks the data read back")
    public void blkbench(@Descriptor("block device name, e.g. hda") String name,
                         @Descriptor("how many MiB to write and read") int mib) throws IOException {
        BlockDevice dev = find(name);
        if (dev.readOnly()) {
            throw new IllegalArgumentException("blkbench: " + name + " is read-only");
        }
        long bytes = (long) mib << 20;
        if (mib <= 0 || bytes > dev.sectorCount() * dev.sectorSize()) {
            throw new IllegalArgumentException("blkbench: " + mib + " MiB does not fit " + name + " ("
                    + (dev.sectorCount() * dev.sectorSize() >> 20) + " MiB)");
        }
        byte[] pattern = new byte[REQUEST];
        new Random(mib).nextBytes(pattern);
        ByteBuffer buffer = ByteBuffer.allocate(REQUEST);
        long perRequest = REQUEST / dev.sectorSize();

        long start = System.nanoTime();
        for (long i = 0; i < mib; i++) {
            buffer.clear();
            pattern[0] = (byte) i; // each MiB differs, so a misplaced request shows
            buffer.put(pattern).flip();
            dev.write(i * perRequest, buffer);
        }
        dev.flush();
        long writeNanos = System.nanoTime() - start;

        start = System.nanoTime();
        long mismatches = 0;
        for (long i = 0; i < mib; i++) {
            buffer.clear();
            dev.read(i * perRequest, buffer);
            pattern[0] = (byte) i;
            if (!java.util.Arrays.equals(buffer.array(), pattern)) {
                mismatches++;
            }
        }
        long readNanos = System.nanoTime() - start;
        System.out.printf("%s: write %d MiB in %.3f s = %.1f MB/s; read %d MiB in %.3f s = %.1f MB/s%s%n", name, mib,
                writeNanos / 1e9, bytes / 1e6 / (writeNanos / 1e9), mib, readNanos / 1e9,
                bytes / 1e6 / (readNanos / 1e9), mismatches == 0 ? "" : "; " + mismatches + " MiB read back WRONG");
        System.out.flush();
        if (mismatches > 0) {
            throw new IOException("blkbench: " + mismatches + " MiB of " + name + " did not read back as written");
        }
    }

    private BlockDevice find(String name) {
        List<Map.Entry<Map<String, Object>, BlockDevice>> all = devices;
        for (Map.Entry<Map<String, Object>, BlockDevice> e : all) {
            if (name.equals(e.getKey().get(BlockDevice.NAME))) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("blkbench: no block device named '" + name + "' (present: "
                + String.join(", ", all.stream().map(e -> String.valueOf(e.getKey().get(BlockDevice.NAME))).sorted()
                        .toList()) + ")");
    }
}
