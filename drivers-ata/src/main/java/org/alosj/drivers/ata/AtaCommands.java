package org.alosj.drivers.ata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.device.BlockDevice;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.CollectionType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code hdparm}, after the Linux tool, for the disks ata_piix drives: {@code -I} prints what the
 * disk reported in IDENTIFY DEVICE and how the driver talks to it, {@code -t} times sequential
 * reads through the BlockDevice. Lives in the driver's bundle, so it goes with the driver.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = AtaCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=hdparm",
})
public final class AtaCommands {
    static final int TIMING_CHUNK = 2 << 20;
    static final long TIMING_NANOS = 3_000_000_000L;

    @Reference(service = BlockDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, collectionType = CollectionType.TUPLE,
            target = "(" + org.alosj.kernel.device.DeviceProperties.DRIVER + "=" + AtaPiixDriver.NAME + ")")
    private volatile List<Map.Entry<Map<String, Object>, BlockDevice>> disks;

    @Descriptor("ATA disk information and read timing: hdparm -I DISK (IDENTIFY data, transfer mode),\n"
            + "  hdparm -t DISK (sequential reads for 3 s, in MB/s); DISK is hda, hdb, hdc or hdd")
    public void hdparm(@Descriptor("-I or -t") String option, @Descriptor("disk name, e.g. hda") String name)
            throws IOException {
        AtaDisk disk = find(name);
        switch (option) {
            case "-I" -> identify(disk);
            case "-t" -> time(disk);
            default -> throw new IllegalArgumentException("hdparm: unknown option '" + option + "' (known: -I, -t)");
        }
    }

    private AtaDisk find(String name) {
        String n = name.startsWith("/dev/") ? name.substring(5) : name;
        List<Map.Entry<Map<String, Object>, BlockDevice>> all = disks;
        for (Map.Entry<Map<String, Object>, BlockDevice> e : all) {
            if (n.equals(e.getKey().get(BlockDevice.NAME)) && e.getValue() instanceof AtaDisk d) {
                return d;
            }
        }
        throw new IllegalArgumentException("hdparm: no ATA disk named '" + name + "' (ata_piix drives: "
                + String.join(", ", all.stream().map(e -> String.valueOf(e.getKey().get(BlockDevice.NAME))).sorted()
                        .toList()) + ")");
    }

    private static void identify(AtaDisk d) {
        AtaIdentity id = d.identity;
        System.out.println();
        System.out.println("/dev/" + d.name + ":");
        System.out.println();
        System.out.println("ATA device, with non-removable media");
        System.out.println("\tModel Number:       " + id.model());
        System.out.println("\tSerial Number:      " + id.serial());
        System.out.println("\tFirmware Revision:  " + id.firmware());
        System.out.println("Configuration:");
        System.out.println("\tLBA    user addressable sectors: " + Math.min(id.sectors(), (1L << 28) - 1));
        if (id.lba48()) {
            System.out.println("\tLBA48  user addressable sectors: " + id.sectors());
        }
        System.out.println("\tLogical  Sector size:                   512 bytes");
        System.out.printf("\tdevice size with M = 1024*1024: %12d MBytes%n", id.sectors() >> 11);
        System.out.printf("\tdevice size with M = 1000*1000: %12d MBytes%n", id.sectors() * 512 / 1_000_000);
        System.out.println("Capabilities:");
        System.out.println("\tLBA, IORDY" + (id.dma() ? ", DMA" : ""));
        System.out.println("\tR/W multiple sector transfer: Max = " + id.maxMultiple() + "\tCurrent = " + d.multiple);
        System.out.println("\tTransfer: " + (d.dma ? "bus-master DMA (mdma2)" : "PIO (pio4)"));
        System.out.flush();
    }

    private static void time(AtaDisk d) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(TIMING_CHUNK);
        long chunkSectors = TIMING_CHUNK / 512;
        long lba = 0;
        long bytes = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            if (lba + chunkSectors > d.sectorCount()) {
                lba = 0;
                if (chunkSectors > d.sectorCount()) {
                    buffer = ByteBuffer.allocate((int) (d.sectorCount() * 512));
                    chunkSectors = d.sectorCount();
                }
            }
            buffer.clear();
            d.read(lba, buffer);
            lba += chunkSectors;
            bytes += buffer.capacity();
            elapsed = System.nanoTime() - start;
        } while (elapsed < TIMING_NANOS);
        double seconds = elapsed / 1e9;
        double mib = bytes / (double) (1 << 20);
        System.out.println();
        System.out.println("/dev/" + d.name + ":");
        System.out.printf(" Timing buffered disk reads: %4.0f MB in %5.2f seconds = %8.2f MB/sec%n", mib, seconds,
                mib / seconds);
        System.out.flush();
    }
}
