package org.alosj.drivers.pcnet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.netdev.impl.Hub;
import org.alosj.hw.pcnet.impl.Am79C970A;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.alosj.testkit.Wait;

/**
 * The driver's world, all of it real: a PC ({@link PcMachine}) with an {@link Am79C970A} in
 * slot 3 whose cable goes to a {@link Hub}, where a peer port listens and sends; and the
 * kernel's own parts booted on it as {@code Kernel} boots them: page and DMA allocators over the
 * machine's RAM, the 8259 interrupt manager on the CPU's INTR pin, and the device manager, which
 * routes PIRQs, assigns BARs through 0xCF8/0xCFC and binds drivers. The device manager needs a
 * service registry, so an OSGi framework (Felix) runs embedded and the test is its system bundle.
 *
 * <p>The driver under test is bound as in a running system, by registering {@link Pcnet32Driver}
 * as a {@link PciDriver} service; it gets the kernel's {@code PciFunctionImpl}, so its I/O goes
 * through the board's port space, its DMA buffers are guest RAM the model masters, and its
 * handler runs on the interrupt thread after a real INTA cycle.
 *
 * <p>Register reads from the test ({@link #csr}, {@link #bcr}) share RAP with the driver: make
 * them only while no interrupt can be in progress.
 */
final class RealPcnetRig implements AutoCloseable {
    static final int SLOT = 3;
    static final PciAddress ADDRESS = new PciAddress(0, SLOT, 0);
    /** Slot 3's INTA# is PIRQC, which the kernel routes to IRQ 11. */
    static final int IRQ = 11;
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static final PciAddress PIIX3 = new PciAddress(0, 1, 0);
    static final int PIIX_PIRQRC = 0x60; // PIRQA..D route control, 0x60..0x63
    static final int PIRQ_DISABLE = 0x80;
    static final int PCI_COMMAND = 0x04;
    static final int PCI_COMMAND_MASTER = 0x4;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final PortTap ports = new PortTap(machine.ioPorts());
    final Hub hub = new Hub("lan0");
    final Am79C970A card = new Am79C970A("pcnet0", MAC, machine.clock());
    /** Frames that reached the peer's end of the hub, in order. */
    final List<byte[]> wire = new CopyOnWriteArrayList<>();
    final NetPort peer = hub.attach("peer", (frame, offset, length) -> {
        wire.add(Arrays.copyOfRange(frame, offset, offset + length));
        return true;
    });
    private final Path storage;
    private final Framework framework;
    final BundleContext context;
    final PageAllocator pages;
    final DmaAllocatorImpl dma;
    final InterruptManager irqs;
    final PciConfigAccess config;
    final DeviceManager devices;
    final int ioBase;
    private final List<ServiceRegistration<?>> drivers = new ArrayList<>();
    private volatile NetPort cable;

    RealPcnetRig() {
        cable = hub.attach(card.name(), card);
        card.setPort(cable);
        machine.pci().plug(card, SLOT, 0);
        try {
            storage = Files.createTempDirectory("pcnet-felix");
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
        irqs = new InterruptManager(ports, machine.interruptPin(), "test-cpu0");
        config = new PciConfigAccess(ports);
        devices = new DeviceManager(context, config, ports, machine.memory(), irqs, dma);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
        devices.start();
        ioBase = (int) function().bars().stream().filter(PciBar::isIo).findFirst()
                .orElseThrow(() -> new IllegalStateException("enumeration placed no I/O BAR for the PCnet"))
                .address();
        ports.watch(ioBase, PcnetRegisters.IO_SIZE);
    }

    // ---- binding ----

    /** Starts the pcnet32 driver, as its bundle's component would; returns the NIC it brought up. */
    PcnetNic bindDriver() {
        drivers.add(context.registerService(PciDriver.class, new Pcnet32Driver(context), null));
        ServiceReference<NetDevice> ref = netDeviceReference()
                .orElseThrow(() -> new AssertionError("pcnet32 did not bind " + ADDRESS + ": " + function().failure()));
        return (PcnetNic) context.getService(ref);
    }

    Optional<ServiceReference<NetDevice>> netDeviceReference() {
        return Optional.ofNullable(context.getServiceReference(NetDevice.class));
    }

    PciDeviceManager.Function function() {
        return devices.function(ADDRESS).orElseThrow(() -> new AssertionError("no PCI function at " + ADDRESS));
    }

    /** What a failed bring-up left behind, seen before the device manager takes anything back. */
    record Leftovers(RuntimeException error, long dmaBytes, List<String> irqHandlers, boolean busMaster, int csr0) {
    }

    /**
     * Probes the card with {@code open} in place of {@link PcnetNic#open(PciDevice)}, through the
     * same device manager, and expects it to fail.
     */
    Leftovers probeFailing(Function<PciDevice, PcnetNic> open) {
        AtomicReference<Leftovers> seen = new AtomicReference<>();
        List<PciId> ids = new Pcnet32Driver(null).idTable();
        PciDriver driver = new PciDriver() {
            @Override
            public String name() {
                return Pcnet32Driver.NAME;
            }

            @Override
            public List<PciId> idTable() {
                return ids;
            }

            @Override
            public org.alosj.kernel.pci.PciBinding probe(PciDevice device) {
                try {
                    PcnetNic nic = open.apply(device);
                    return nic::close;
                } catch (RuntimeException e) {
                    seen.set(new Leftovers(e, dma.bytesInUse(), irqHandlers(), busMaster(), csr(PcnetRegisters.CSR0)));
                    throw e;
                }
            }
        };
        drivers.add(context.registerService(PciDriver.class, driver, null));
        Leftovers l = seen.get();
        if (l == null) {
            fail("the probe of " + ADDRESS + " succeeded");
        }
        return l;
    }

    // ---- the machine, as the test sees it ----

    int csr(int n) {
        ports.outw(ioBase + PcnetRegisters.WIO_RAP, n);
        return ports.inw(ioBase + PcnetRegisters.WIO_RDP);
    }

    int bcr(int n) {
        ports.outw(ioBase + PcnetRegisters.WIO_RAP, n);
        return ports.inw(ioBase + PcnetRegisters.WIO_BDP);
    }

    boolean busMaster() {
        return (config.read(ADDRESS, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) != 0;
    }

    /** Sets or clears the command register's bus-master enable behind the driver's back. */
    void setBusMaster(boolean enabled) {
        int command = config.read(ADDRESS, PCI_COMMAND, 2);
        config.write(ADDRESS, PCI_COMMAND, 2,
                enabled ? command | PCI_COMMAND_MASTER : command & ~PCI_COMMAND_MASTER);
    }

    /** The names of the handlers on the PCnet's interrupt line. */
    List<String> irqHandlers() {
        return irqs.statistics().stream().filter(s -> s.irq() == IRQ).findFirst()
                .map(Interrupts.LineStats::handlers).orElse(List.of());
    }

    /** Turns the PIIX3's PIRQC link off: the card's INTA# reaches no IRQ. */
    void disconnectInterruptLink() {
        config.write(PIIX3, PIIX_PIRQRC + 2, 1, PIRQ_DISABLE);
    }

    /** Pulls the card's cable out of the hub: no carrier. */
    void pullCable() {
        NetPort c = cable;
        cable = null;
        card.setPort(null);
        if (c != null) {
            c.close();
        }
    }

    /** A frame from the peer to the card. */
    void send(byte[] frame) {
        peer.transmit(frame, 0, frame.length);
    }

    /** Surprise removal: the card leaves the board; the kernel has not been told yet. */
    void unplug() {
        machine.pci().unplug(card);
    }


    @Override
    public void close() {
        for (ServiceRegistration<?> r : drivers) {
            try {
                r.unregister(); // the device manager unbinds what the driver holds
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
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
            pullCable();
            peer.close();
            hub.close();
            machine.powerOff();
            deleteRecursively(storage);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }

    /**
     * A slot whose bus-master grant never comes: the driver's request to master the bus is lost
     * on the way to the command register (the function itself, its registers, DMA allocator and
     * interrupt are the kernel's real ones). The chip then cannot read its init block.
     */
    static final class GrantNeverComes implements PciDevice {
        private final PciDevice slot;

        GrantNeverComes(PciDevice slot) {
            this.slot = slot;
        }

        @Override
        public void setBusMaster(boolean enabled) {
            if (!enabled) {
                slot.setBusMaster(false);
            }
        }

        @Override
        public PciAddress address() {
            return slot.address();
        }

        @Override
        public int vendorId() {
            return slot.vendorId();
        }

        @Override
        public int deviceId() {
            return slot.deviceId();
        }

        @Override
        public int subsystemVendorId() {
            return slot.subsystemVendorId();
        }

        @Override
        public int subsystemId() {
            return slot.subsystemId();
        }

        @Override
        public int revision() {
            return slot.revision();
        }

        @Override
        public int classCode() {
            return slot.classCode();
        }

        @Override
        public int irq() {
            return slot.irq();
        }

        @Override
        public List<PciBar> bars() {
            return slot.bars();
        }

        @Override
        public Optional<PciBar> bar(int index) {
            return slot.bar(index);
        }

        @Override
        public int configRead8(int offset) {
            return slot.configRead8(offset);
        }

        @Override
        public int configRead16(int offset) {
            return slot.configRead16(offset);
        }

        @Override
        public int configRead32(int offset) {
            return slot.configRead32(offset);
        }

        @Override
        public void configWrite8(int offset, int value) {
            slot.configWrite8(offset, value);
        }

        @Override
        public void configWrite16(int offset, int value) {
            slot.configWrite16(offset, value);
        }

        @Override
        public void configWrite32(int offset, int value) {
            slot.configWrite32(offset, value);
        }

        @Override
        public void enable() {
            slot.enable();
        }

        @Override
        public org.alosj.kernel.pci.IoRegion ioRegion(int index) {
            return slot.ioRegion(index);
        }

        @Override
        public org.alosj.kernel.pci.MmioRegion mmioRegion(int index) {
            return slot.mmioRegion(index);
        }

        @Override
        public org.alosj.kernel.mem.DmaAllocator dma() {
            return slot.dma();
        }

        @Override
        public org.alosj.kernel.irq.InterruptRegistration requestIrq(String name,
                org.alosj.kernel.irq.InterruptHandler handler) {
            return slot.requestIrq(name, handler);
        }

        @Override
        public org.alosj.kernel.pci.IoRegion legacyIoRegion(int base, int length) {
            return slot.legacyIoRegion(base, length);
        }

        @Override
        public org.alosj.kernel.irq.InterruptRegistration requestLegacyIrq(int isaIrq, String name,
                org.alosj.kernel.irq.InterruptHandler handler) {
            return slot.requestLegacyIrq(isaIrq, name, handler);
        }

        @Override
        public org.alosj.kernel.pci.MessageInterrupts enableMsi(String name,
                org.alosj.kernel.irq.InterruptHandler handler) {
            return slot.enableMsi(name, handler);
        }

        @Override
        public org.alosj.kernel.pci.MessageInterrupts enableMsix(String name,
                List<org.alosj.kernel.irq.InterruptHandler> handlers) {
            return slot.enableMsix(name, handlers);
        }

        @Override
        public boolean present() {
            return slot.present();
        }
    }
}
