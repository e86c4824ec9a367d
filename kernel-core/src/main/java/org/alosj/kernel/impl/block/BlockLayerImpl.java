package org.alosj.kernel.impl.block;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.vfs.DeviceNumbers;
import org.alosj.kernel.pci.PciDevice;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block layer: follows the disks drivers register (BlockDevice services without a parent),
 * puts a {@link RequestQueue} in front of each, reads its MBR and registers its partitions.
 * A disk keeps its queue, partitions and number across a driver swap of the same geometry; a
 * disk whose driver stays away past the queue's grace period fails its I/O, and a different
 * disk under the name replaces it (what was mounted from the old one gets EIO). A disk whose
 * device left the bus (hot-unplug, {@code device_del}) gets no grace: no driver can bring it
 * back, so its queue fails pending and later requests at once.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = BlockLayer.class, immediate = true)
public final class BlockLayerImpl implements BlockLayer {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.block");
    /** How long a disk's requests wait for its driver to come back after it went. */
    static final long SWAP_GRACE_MS = 2000;
    /** The IDE majors of hda/hdb, hdc/hdd, … as Linux assigns them. */
    private static final int[] IDE_MAJORS = {3, 22, 33, 34, 56, 57, 88, 89, 90, 91};
    private static final int BLOCK_EXT_MAJOR = 259;

    /** Registers a partition's service and returns how to take it back (the BundleContext, or a test's). */
    public interface Registrar {
        Runnable register(BlockDevice partition, Dictionary<String, Object> properties);
    }

    /** Whether the device in a slot ({@link DeviceProperties#SLOT}) has left the bus. */
    public interface Removals {
        boolean removed(String slot);
    }

    private final Registrar registrar;
    private final long graceMillis;
    private final Removals removals;
    private final Map<String, Disk> disks = new TreeMap<>();
    private final Map<String, Integer> extMinors = new TreeMap<>();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean active = true;

    /** A disk as the block layer holds it. */
    private static final class Disk {
        final RequestQueue queue;
        final long devNumber;
        BlockDevice backend;
        final List<PartitionDevice> partitions = new ArrayList<>();
        final List<Runnable> registrations = new ArrayList<>();
        final Map<String, Object> properties;
        /** Drops the disk when the grace period ends with no driver; stopped when one comes back. */
        Thread dropTimer;

        Disk(RequestQueue queue, long devNumber, BlockDevice backend, Map<String, Object> properties) {
            this.queue = queue;
            this.devNumber = devNumber;
            this.backend = backend;
            this.properties = properties;
        }
    }

    @Activate
    public BlockLayerImpl(BundleContext context) {
        this((p, props) -> {
            ServiceRegistration<BlockDevice> r = context.registerService(BlockDevice.class, p, props);
            return r::unregister;
        }, SWAP_GRACE_MS, slot -> pciFunctionGone(context, slot));
    }

    public BlockLayerImpl(Registrar registrar, long graceMillis) {
        this(registrar, graceMillis, slot -> false);
    }

    public BlockLayerImpl(Registrar registrar, long graceMillis, Removals removals) {
        this.registrar = registrar;
        this.graceMillis = graceMillis;
        this.removals = removals;
    }

    /**
     * Whether the PCI function at {@code slot} has left the bus: the device manager marks it gone
     * before it unbinds the driver, and unregisters its PciDevice service after.
     */
    private static boolean pciFunctionGone(BundleContext context, String slot) {
        try {
            var refs = context.getServiceReferences(PciDevice.class, "(pci.address=" + slot + ")");
            if (refs.isEmpty()) {
                return true;
            }
            for (ServiceReference<PciDevice> ref : refs) {
                PciDevice device = context.getService(ref);
                try {
                    if (device != null && device.present()) {
                        return false;
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
            return true;
        } catch (InvalidSyntaxException e) {
            LOG.warn("disk slot {} is not a PCI address: {}", slot, e.getMessage());
            return false;
        }
    }

    @Reference(service = BlockDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(!(" + PARENT + "=*))")
    public void addDisk(BlockDevice device, Map<String, Object> properties) {
        Object n = properties.get(BlockDevice.NAME);
        if (!(n instanceof String name) || name.isEmpty() || name.contains("/")) {
            LOG.warn("block device without a usable {} property ({}): ignored", BlockDevice.NAME, n);
            return;
        }
        Disk disk;
        List<PartitionDevice> toRegister = List.of();
        synchronized (this) {
            if (!active) {
                return;
            }
            disk = disks.get(name);
            if (disk != null && disk.backend == null && disk.queue.sameGeometry(device)) {
                disk.backend = device;
                int waited = disk.queue.attach(device);
                if (disk.dropTimer != null) {
                    disk.dropTimer.interrupt();
                    disk.dropTimer = null;
                }
                LOG.info("{}: driver {} took over the disk ({} request(s) had waited for it)", name,
                        properties.get(DeviceProperties.DRIVER), waited);
                return;
            }
            if (disk != null) {
                dropDisk(name, disk);
            }
            long dev = devNumber(name, 0);
            disk = new Disk(new RequestQueue(name, device, graceMillis), dev, device, Map.copyOf(properties));
            disks.put(name, disk);
            LOG.info("{}: {} sectors of {} bytes ({} MiB){}", name, device.sectorCount(), device.sectorSize(),
                    device.sectorCount() * device.sectorSize() >> 20, device.readOnly() ? ", read-only" : "");
        }
        scan(name, disk);
        changed();
    }

    public void removeDisk(BlockDevice device, Map<String, Object> properties) {
        // Asked before taking this object's lock: the device manager may hold its own (it is
        // unbinding the driver), and it calls addDisk under it.
        Object slot = properties.get(DeviceProperties.SLOT);
        boolean deviceRemoved = slot instanceof String s && removals.removed(s);
        synchronized (this) {
            for (Map.Entry<String, Disk> e : disks.entrySet()) {
                if (e.getValue().backend == device) {
                    e.getValue().backend = null;
                    e.getValue().queue.detach(device);
                    if (deviceRemoved) {
                        dropDisk(e.getKey(), e.getValue());
                        LOG.info("{}: the device in slot {} was removed: its I/O fails from now on", e.getKey(), slot);
                        break;
                    }
                    LOG.info("{}: the driver went away", e.getKey());
                    // Partitions and /dev nodes stay for the grace period: a swap keeps them.
                    scheduleDrop(e.getKey(), e.getValue());
                    return;
                }
            }
        }
        if (deviceRemoved) {
            changed();
        }
    }

    /** Drops the disk if no driver brought it back within the grace period. */
    private void scheduleDrop(String name, Disk disk) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(graceMillis);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (disks.get(name) == disk && disk.backend == null) {
                    dropDisk(name, disk);
                    LOG.info("{}: no driver came back: removed", name);
                }
            }
            changed();
        }, "kblock-gone-" + name);
        t.setDaemon(true);
        disk.dropTimer = t;
        t.start();
    }

    private void dropDisk(String name, Disk disk) {
        disks.remove(name);
        unregisterPartitions(disk);
        disk.queue.shutdown();
    }

    private void unregisterPartitions(Disk disk) {
        for (Runnable r : disk.registrations) {
            try {
                r.run();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        disk.registrations.clear();
        disk.partitions.clear();
    }

    private void scan(String name, Disk disk) {
        MbrPartitionTable.Result table;
        try {
            table = MbrPartitionTable.read(disk.queue);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot read the partition table: {}", name, e.getMessage());
            return;
        }
        for (String problem : table.problems()) {
            LOG.warn("{}: {}", name, problem);
        }
        List<PartitionDevice> parts = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (MbrPartitionTable.Partition p : table.partitions()) {
            String partName = partitionName(name, p.number());
            if (MbrPartitionTable.isExtended(p.type())) {
                // Linux shows the extended partition as a 2-sector device; nothing can be mounted on it.
                line.append(' ').append(partName).append(" <");
                continue;
            }
            parts.add(new PartitionDevice(partName, disk.queue, p.number(), p.start(), p.sectors()));
            line.append(' ').append(partName);
        }
        if (line.indexOf("<") >= 0) {
            line.append(" >");
        }
        if (table.partitions().isEmpty()) {
            return;
        }
        LOG.info("{}:{}", name, line);
        synchronized (this) {
            if (disks.get(name) != disk || !active) {
                return;
            }
            for (PartitionDevice p : parts) {
                Dictionary<String, Object> props = new Hashtable<>();
                props.put(BlockDevice.NAME, p.name);
                props.put(PARENT, name);
                props.put(PARTITION, p.number);
                props.put(START, p.start);
                Object slot = disk.properties.get(DeviceProperties.SLOT);
                if (slot != null) {
                    props.put(DeviceProperties.SLOT, slot);
                }
                disk.partitions.add(p);
                disk.registrations.add(registrar.register(p, props));
            }
        }
    }

    /** Runs {@code r} (in the thread that made the change) whenever a disk or partition comes or goes. */
    public void addChangeListener(Runnable r) {
        listeners.add(r);
    }

    public void removeChangeListener(Runnable r) {
        listeners.remove(r);
    }

    private void changed() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("block layer listener failed", e);
            }
        }
    }

    @Override
    public void rescan(String name) throws IOException {
        Disk disk;
        synchronized (this) {
            disk = disks.get(name);
            if (disk == null) {
                throw new IOException(name + ": no such disk");
            }
            unregisterPartitions(disk);
        }
        scan(name, disk);
        changed();
    }

    static String partitionName(String disk, int number) {
        return Character.isDigit(disk.charAt(disk.length() - 1)) ? disk + "p" + number : disk + number;
    }

    /** Linux's numbers: IDE disks 64 minors apart on their major, everything else on blkext. */
    private long devNumber(String name, int partition) {
        if (name.length() == 3 && name.startsWith("hd") && name.charAt(2) >= 'a' && name.charAt(2) <= 't') {
            int index = name.charAt(2) - 'a';
            return DeviceNumbers.makedev(IDE_MAJORS[index / 2], (index % 2) * 64 + partition);
        }
        String key = partition == 0 ? name : partitionName(name, partition);
        Integer minor = extMinors.get(key);
        if (minor == null) {
            minor = extMinors.size();
            extMinors.put(key, minor);
        }
        return DeviceNumbers.makedev(BLOCK_EXT_MAJOR, minor);
    }

    @Override
    public synchronized List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        for (Map.Entry<String, Disk> e : disks.entrySet()) {
            RequestQueue q = e.getValue().queue;
            out.add(new DeviceInfo(e.getKey(), null, 0, 0, q.sectorCount(), q.sectorSize(), q.readOnly(),
                    e.getValue().devNumber));
            for (PartitionDevice p : e.getValue().partitions) {
                out.add(new DeviceInfo(p.name, e.getKey(), p.number, p.start, p.sectorCount(), p.sectorSize(),
                        p.readOnly(), devNumber(e.getKey(), p.number)));
            }
        }
        return out;
    }

    @Override
    public synchronized Optional<BlockDevice> device(String name) {
        for (Map.Entry<String, Disk> e : disks.entrySet()) {
            if (e.getKey().equals(name)) {
                return Optional.of(e.getValue().queue);
            }
            for (PartitionDevice p : e.getValue().partitions) {
                if (p.name.equals(name)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> nameOf(long devNumber) {
        return devices().stream().filter(d -> d.devNumber() == devNumber).map(DeviceInfo::name).findFirst();
    }

    @Deactivate
    public synchronized void deactivate() {
        active = false;
        for (Disk d : disks.values()) {
            if (d.dropTimer != null) {
                d.dropTimer.interrupt();
            }
            unregisterPartitions(d);
            d.queue.shutdown();
        }
        disks.clear();
    }
}
