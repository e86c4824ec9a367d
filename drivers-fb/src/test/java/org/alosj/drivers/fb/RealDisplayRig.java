package org.alosj.drivers.fb;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.Mapping;
import org.alosj.hw.display.impl.BochsVga;
import org.alosj.hw.display.impl.Scanout;
import org.alosj.kernel.fb.FramebufferDevice;
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

/**
 * The driver's world, all real: a PC ({@link PcMachine}) with the display adapter model in
 * slot 2, and the kernel's PCI enumeration and device manager booted on it (BARs placed through
 * 0xCF8/0xCFC, drivers bound as in a running system) inside an embedded Felix whose system
 * bundle is the test. What the adapter shows is read from the model's {@link Scanout}, as a
 * monitor would see it.
 */
public final class RealDisplayRig implements AutoCloseable {
    static final int SLOT = 2;
    public static final PciAddress ADDRESS = new PciAddress(0, SLOT, 0);

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    public final BochsVga adapter;
    private final List<Mapping> legacyPorts;
    private final Path storage;
    private final Framework framework;
    public final BundleContext context;
    final InterruptManager irqs;
    final PciConfigAccess config;
    final DeviceManager devices;
    private final List<ServiceRegistration<?>> drivers = new ArrayList<>();

    public RealDisplayRig(boolean std) {
        adapter = new BochsVga("vga0", "vga", std, 16 << 20);
        machine.pci().plug(adapter, SLOT, 0);
        legacyPorts = adapter.mapLegacyPorts(machine.ioPorts());
        try {
            storage = Files.createTempDirectory("fb-felix");
            framework = new org.apache.felix.framework.FrameworkFactory().newFramework(Map.of(
                    Constants.FRAMEWORK_STORAGE, storage.toString(),
                    Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
            framework.start();
        } catch (IOException | BundleException e) {
            machine.powerOff();
            throw new IllegalStateException("cannot start the OSGi framework", e);
        }
        context = framework.getBundleContext();
        PageAllocator pages = new PageAllocator(machine.memoryMap(), machine.memory());
        DmaAllocatorImpl dma = new DmaAllocatorImpl(pages, machine.memory());
        irqs = new InterruptManager(machine.ioPorts(), machine.interruptPin(), "test-cpu0");
        config = new PciConfigAccess(machine.ioPorts());
        devices = new DeviceManager(context, config, machine.ioPorts(), machine.memory(), irqs, dma);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
        devices.start();
    }

    /** What the adapter shows now. */
    public Scanout screen() {
        return adapter.scanout();
    }

    /** The whole picture, row after row. */
    public int[] picture() {
        Scanout s = screen();
        int[] p = new int[s.width() * s.height()];
        s.read(0, 0, s.width(), s.height(), p, 0, s.width());
        return p;
    }

    /** Registers the driver as its bundle's component would; returns the frame buffer it made. */
    public FramebufferDevice bind(int width, int height, int bpp) {
        drivers.add(context.registerService(PciDriver.class, new BochsFbDriver(context, width, height, bpp), null));
        ServiceReference<FramebufferDevice> ref = context.getServiceReference(FramebufferDevice.class);
        if (ref == null) {
            fail("bochs did not bind " + ADDRESS + ": " + function().failure());
        }
        return context.getService(ref);
    }

    /** Registers the driver and expects the probe to fail; returns why. */
    String bindFailing(int width, int height, int bpp) {
        drivers.add(context.registerService(PciDriver.class, new BochsFbDriver(context, width, height, bpp), null));
        if (context.getServiceReference(FramebufferDevice.class) != null) {
            fail("bochs bound " + ADDRESS + " with " + width + "x" + height + "x" + bpp);
        }
        return function().failure();
    }

    /** Unregisters the drivers: the device manager unbinds. */
    void unbind() {
        for (ServiceRegistration<?> r : drivers) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // already gone
            }
        }
        drivers.clear();
    }

    PciDeviceManager.Function function() {
        return devices.function(ADDRESS).orElseThrow(() -> new AssertionError("no PCI function at " + ADDRESS));
    }

    @Override
    public void close() {
        unbind();
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
            legacyPorts.forEach(Mapping::close);
            machine.powerOff();
            try (Stream<Path> files = Files.walk(storage)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }
}
