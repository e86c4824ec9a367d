package org.alosj.drivers.ata;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hw.ata.impl.AtaComponent;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.alosj.testkit.Wait;

/**
 * The driver's world, all of it real: a PC ({@link PcMachine}) with the PIIX3 IDE function at
 * 00:01.1 built by its own component ({@link AtaComponent}) over raw image files, and the
 * kernel's parts booted on it as {@code Kernel} boots them: page and DMA allocators over the
 * machine's RAM, the 8259 interrupt manager on the CPU's INTR pin, and the device manager, which
 * enumerates the bus through 0xCF8/0xCFC, hands out legacy ports and ISA IRQs and binds drivers
 * from an embedded OSGi framework's registry.
 */
final class RealAtaRig implements AutoCloseable {
    static final PciAddress ADDRESS = new PciAddress(0, 1, 1);
    static final int SECTOR = 512;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(64));
    final AtaComponent ide;
    private final Path storage;
    private final Framework framework;
    final BundleContext context;
    final DmaAllocatorImpl dma;
    final InterruptManager irqs;
    final PciConfigAccess config;
    final DeviceManager devices;
    private final List<ServiceRegistration<?>> drivers = new ArrayList<>();

    /** {@code drives}: index (0-3) to image file; a "!" before the path makes it read-only. */
    RealAtaRig(Map<Integer, String> drives) {
        Map<String, Object> props = new HashMap<>();
        drives.forEach((index, file) -> {
            boolean ro = file.startsWith("!");
            props.put("drive." + index + ".file", ro ? file.substring(1) : file);
            props.put("drive." + index + ".readonly", Boolean.toString(ro));
        });
        ide = new AtaComponent(props, machine);
        try {
            storage = Files.createTempDirectory("ata-felix");
            framework = new org.apache.felix.framework.FrameworkFactory().newFramework(Map.of(
                    Constants.FRAMEWORK_STORAGE, storage.toString(),
                    Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
            framework.start();
        } catch (IOException | BundleException e) {
            ide.deactivate();
            machine.powerOff();
            throw new IllegalStateException("cannot start the OSGi framework", e);
        }
        context = framework.getBundleContext();
        PageAllocator pages = new PageAllocator(machine.memoryMap(), machine.memory());
        dma = new DmaAllocatorImpl(pages, machine.memory());
        irqs = new InterruptManager(machine.ioPorts(), machine.interruptPin(), "test-cpu0");
        config = new PciConfigAccess(machine.ioPorts());
        devices = new DeviceManager(context, config, machine.ioPorts(), machine.memory(), irqs, dma);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
        devices.start();
    }

    /** A raw image of {@code sectors} sectors, sector n filled with {@link #pattern}(n). */
    static Path image(Path dir, String name, long sectors) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(sectors * SECTOR);
            byte[] all = new byte[(int) Math.min(sectors, 4096) * SECTOR];
            for (int s = 0; s < all.length / SECTOR; s++) {
                System.arraycopy(pattern(s), 0, all, s * SECTOR, SECTOR);
            }
            f.write(all);
        }
        return p;
    }

    static byte[] pattern(long sector) {
        byte[] b = new byte[SECTOR];
        for (int i = 0; i < SECTOR; i++) {
            b[i] = (byte) (sector * 31 + i * 7 + (i >> 8));
        }
        return b;
    }

    /** Starts ata_piix, as its bundle's component would. */
    void bindDriver(boolean forcePio) {
        bindDriver(new AtaPiixDriver(context, forcePio));
    }

    void bindDriver(AtaPiixDriver driver) {
        drivers.add(context.registerService(PciDriver.class, driver, null));
        if (function().driver() == null) {
            fail("ata_piix did not bind " + ADDRESS + ": " + function().failure());
        }
    }

    /** Stops the driver (as uninstalling its bundle would): the device manager unbinds it. */
    void unbindDriver() {
        for (ServiceRegistration<?> r : drivers) {
            r.unregister();
        }
        drivers.clear();
    }

    Optional<BlockDevice> disk(String name) {
        try {
            for (ServiceReference<BlockDevice> ref : context.getServiceReferences(BlockDevice.class,
                    "(" + BlockDevice.NAME + "=" + name + ")")) {
                return Optional.of(context.getService(ref));
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        return Optional.empty();
    }

    ServiceReference<BlockDevice> diskReference(String name) {
        try {
            var refs = context.getServiceReferences(BlockDevice.class, "(" + BlockDevice.NAME + "=" + name + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    List<String> diskNames() {
        try {
            return context.getServiceReferences(BlockDevice.class, null).stream()
                    .map(r -> (String) r.getProperty(BlockDevice.NAME)).sorted().toList();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    PciDeviceManager.Function function() {
        return devices.function(ADDRESS).orElseThrow(() -> new AssertionError("no PCI function at " + ADDRESS));
    }

    boolean busMaster() {
        return (config.read(ADDRESS, 0x04, 2) & 0x4) != 0;
    }


    @Override
    public void close() {
        unbindDriver();
        devices.stop();
        irqs.shutdown();
        try {
            framework.stop();
            framework.waitForStop(2000);
        } catch (BundleException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ide.deactivate();
            machine.powerOff();
            try (Stream<Path> paths = Files.walk(storage)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp folder is harmless
            }
        }
    }
}
