package org.alosj.drivers.e1000e;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.e1000.impl.E1000Function;
import org.alosj.hw.netdev.impl.Hub;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;
import org.alosj.kernel.irq.Interrupts;
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
 * The driver's world, all of it real: a PC with an 82540EM or 82574L model in slot 3 whose cable
 * goes to a hub where a peer port listens and sends, and the kernel's page and DMA allocators,
 * 8259 interrupt manager and device manager booted on it, with an embedded Felix as service
 * registry. The driver is bound as in a running system, by registering it as a PciDriver.
 */
final class RealE1000Rig implements AutoCloseable {
    static final int SLOT = 3;
    static final PciAddress ADDRESS = new PciAddress(0, SLOT, 0);
    /** Slot 3's INTA# is PIRQC, which the kernel routes to IRQ 11. */
    static final int IRQ = 11;
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static final int PCI_COMMAND = 0x04;
    static final int PCI_COMMAND_MASTER = 0x4;

    final boolean pcie;
    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final Hub hub = new Hub("lan0");
    final E1000Function card;
    /** Frames that reached the peer's end of the hub, in order. */
    final List<byte[]> wire = new CopyOnWriteArrayList<>();
    final NetPort peer = hub.attach("peer", (frame, offset, length) -> {
        wire.add(Arrays.copyOfRange(frame, offset, offset + length));
        return true;
    });
    private final NetPort cable;
    private final Path storage;
    private final Framework framework;
    final BundleContext context;
    final PageAllocator pages;
    final DmaAllocatorImpl dma;
    final InterruptManager irqs;
    final PciConfigAccess config;
    final DeviceManager devices;
    private final List<ServiceRegistration<?>> drivers = new ArrayList<>();

    /** @param pcie an 82574L (e1000e) when true, else an 82540EM (e1000) */
    RealE1000Rig(boolean pcie) {
        this.pcie = pcie;
        card = pcie ? E1000Function.i82574l("nic0", MAC, machine.clock())
                : E1000Function.i82540em("nic0", MAC, machine.clock());
        cable = hub.attach(card.name(), card);
        card.setPort(cable);
        machine.pci().plug(card, SLOT, 0);
        try {
            storage = Files.createTempDirectory("e1000-felix");
            framework = new org.apache.felix.framework.FrameworkFactory().newFramework(Map.of(
                    Constants.FRAMEWORK_STORAGE, storage.toString(),
                    Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
            framework.start();
        } catch (IOException | BundleException e) {
            machine.powerOff();
            throw new IllegalStateException("cannot start the OSGi framework", e);
        }
        context = framework.getBundleContext();
        pages = new PageAllocator(machine.memoryMap(), machine.memory());
        dma = new DmaAllocatorImpl(pages, machine.memory());
        irqs = new InterruptManager(machine.ioPorts(), machine.interruptPin(), "test-cpu0");
        config = new PciConfigAccess(machine.ioPorts());
        devices = new DeviceManager(context, config, machine.ioPorts(), machine.memory(), irqs, dma);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
        devices.start();
    }

    /** Registers the driver for this part, as its bundle's component would; returns the NIC. */
    E1000Nic bindDriver() {
        return bindDriver(E1000Nic.IntMode.MSIX);
    }

    /** As {@link #bindDriver()}, the 82574L's driver configured with {@code intMode}. */
    E1000Nic bindDriver(E1000Nic.IntMode intMode) {
        PciDriver driver = pcie ? new E1000eDriver(context, intMode) : new E1000Driver(context);
        drivers.add(context.registerService(PciDriver.class, driver, null));
        ServiceReference<NetDevice> ref = netDevice();
        if (ref == null) {
            throw new AssertionError("the driver did not bind " + ADDRESS + ": " + function().failure());
        }
        return (E1000Nic) context.getService(ref);
    }

    ServiceReference<NetDevice> netDevice() {
        return context.getServiceReference(NetDevice.class);
    }

    /** Takes the driver away, as stopping its bundle does. */
    void unregisterDrivers() {
        for (ServiceRegistration<?> r : drivers) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered before
            }
        }
        drivers.clear();
    }

    PciDeviceManager.Function function() {
        return devices.function(ADDRESS).orElseThrow(() -> new AssertionError("no PCI function at " + ADDRESS));
    }

    boolean busMaster() {
        return (config.read(ADDRESS, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) != 0;
    }

    List<String> irqHandlers() {
        return irqs.statistics().stream().filter(s -> s.irq() == IRQ).findFirst()
                .map(Interrupts.LineStats::handlers).orElse(List.of());
    }

    /** A MAC register read behind the driver's back (no side effects for the ones tests read). */
    int register(int offset) {
        long bar0 = function().bars().get(0).address();
        return machine.memory().readInt(bar0 + offset);
    }

    void send(byte[] frame) {
        peer.transmit(frame, 0, frame.length);
    }


    @Override
    public void close() {
        unregisterDrivers();
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
            card.setPort(null);
            cable.close();
            peer.close();
            hub.close();
            machine.powerOff();
            try (Stream<Path> paths = Files.walk(storage)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory; the OS cleans it
            }
        }
    }
}
