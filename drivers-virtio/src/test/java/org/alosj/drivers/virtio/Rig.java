package org.alosj.drivers.virtio;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hw.netdev.impl.Hub;
import org.alosj.hw.virtio.impl.VirtioBlkComponent;
import org.alosj.hw.virtio.impl.VirtioNetComponent;
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
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.alosj.testkit.Wait;

/**
 * The driver's world, all of it real: a PC ({@link PcMachine}) with virtio functions built by
 * their own components over raw image files and an in-JVM hub, and the kernel's parts booted on
 * it as {@code Kernel} boots them: page and DMA allocators, the 8259 interrupt manager and the
 * device manager, which enumerates the bus through 0xCF8/0xCFC and binds drivers from an
 * embedded OSGi framework's registry.
 */
final class Rig implements AutoCloseable {
    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(64));
    final Hub hub = new Hub("n0");
    private final List<VirtioBlkComponent> disks = new ArrayList<>();
    private final List<VirtioNetComponent> nics = new ArrayList<>();
    private Path storage;
    private Framework framework;
    BundleContext context;
    DmaAllocatorImpl dma;
    InterruptManager irqs;
    PciConfigAccess config;
    DeviceManager devices;
    private final List<ServiceRegistration<?>> drivers = new ArrayList<>();

    /** Plugs a virtio-blk over {@code image} at {@code slot}, {@code mode} transitional or modern. */
    Rig blk(Path image, int slot, String mode) throws IOException {
        disks.add(new VirtioBlkComponent("virtio-blk" + disks.size(), image.toString(), false, Integer.toString(slot),
                mode, "VD" + slot, machine));
        return this;
    }

    /** Plugs a virtio-net on the hub at {@code slot}. */
    Rig net(String mac, int slot, String mode) {
        nics.add(new VirtioNetComponent("virtio-net" + nics.size(), mac, Integer.toString(slot), mode, machine, hub));
        return this;
    }

    /** The same offering an MTU (QEMU's host_mtu; 0 offers none). */
    Rig net(String mac, int slot, String mode, int hostMtu) {
        nics.add(new VirtioNetComponent("virtio-net" + nics.size(), mac, Integer.toString(slot), mode, hostMtu,
                machine, hub));
        return this;
    }

    /** Boots the kernel's parts on the machine as it is now and enumerates the bus. */
    Rig boot() {
        try {
            storage = Files.createTempDirectory("virtio-felix");
            framework = new org.apache.felix.framework.FrameworkFactory().newFramework(Map.of(
                    Constants.FRAMEWORK_STORAGE, storage.toString(),
                    Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
            framework.start();
        } catch (IOException | BundleException e) {
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
        return this;
    }

    /** Starts virtio-pci, as its bundle's component would. */
    void bindDriver() {
        drivers.add(context.registerService(PciDriver.class, new VirtioPciDriver(context, devices), null));
        for (PciDeviceManager.Function f : devices.functions()) {
            if (f.vendorId() == 0x1af4 && !"virtio-pci".equals(f.driver())) {
                fail("virtio-pci did not bind " + f.address() + ": " + f.failure());
            }
        }
    }

    /** Stops the driver (as uninstalling its bundle would): the device manager unbinds it. */
    void unbindDriver() {
        for (ServiceRegistration<?> r : drivers) {
            r.unregister();
        }
        drivers.clear();
    }

    <T> Optional<T> service(Class<T> type, String filter) {
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type, filter)) {
                return Optional.of(context.getService(ref));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        return Optional.empty();
    }

    <T> ServiceReference<T> reference(Class<T> type, String filter) {
        try {
            var refs = context.getServiceReferences(type, filter);
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    PciDeviceManager.Function function(int slot) {
        PciAddress a = new PciAddress(0, slot, 0);
        return devices.function(a).orElseThrow(() -> new AssertionError("no PCI function at " + a));
    }

    boolean busMaster(int slot) {
        return (config.read(new PciAddress(0, slot, 0), 0x04, 2) & 0x4) != 0;
    }


    @Override
    public void close() {
        unbindDriver();
        if (devices != null) {
            devices.stop();
            irqs.shutdown();
        }
        try {
            if (framework != null) {
                framework.stop();
                framework.waitForStop(2000);
            }
        } catch (BundleException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            disks.forEach(VirtioBlkComponent::deactivate);
            nics.forEach(VirtioNetComponent::deactivate);
            hub.close();
            machine.powerOff();
            if (storage != null) {
                try (Stream<Path> paths = Files.walk(storage)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a leftover temp folder is harmless
                }
            }
        }
    }
}
