package org.alosj.kernel.block;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.alosj.kernel.device.BlockDevice;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every disk and partition the kernel knows. A disk is a {@link BlockDevice} service a driver
 * registered (without {@link #PARENT}); the block layer puts a request queue in front of it
 * (requests from many threads, in order, a flush a barrier) and registers each partition it
 * finds in its MBR as a BlockDevice service with {@link #PARENT}, {@link #PARTITION} and
 * {@link #START}. The devices handed out here go through the queue.
 */
@ProviderType
public interface BlockLayer {
    /** Service property of a partition: the disk's name ({@code hda}). */
    String PARENT = "block.parent";
    /** Service property of a partition: its number (1-4 primary, 5… logical). */
    String PARTITION = "block.partition";
    /** Service property of a partition: its first sector on the disk. */
    String START = "block.start";

    /** One disk or partition: {@code parent} is null and {@code partition} 0 for a disk. */
    record DeviceInfo(String name, String parent, int partition, long start, long sectors, int sectorSize,
                      boolean readOnly, long devNumber) {
    }

    /** Disks and their partitions, disks in name order each followed by its partitions. */
    List<DeviceInfo> devices();

    /** The queued device named {@code name}, if present. */
    Optional<BlockDevice> device(String name);

    /** The device whose number (st_rdev) is {@code devNumber}. */
    Optional<String> nameOf(long devNumber);

    /** Reads a disk's partition table again (BLKRRPART) and registers the partitions it holds now. */
    void rescan(String disk) throws IOException;
}
