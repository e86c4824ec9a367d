package org.alosj.kernel.impl.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.mem.DmaAllocator;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.MessageInterrupts;
import org.alosj.kernel.pci.MmioRegion;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;
import org.osgi.service.device.Device;

/**
 * One PCI function as enumeration found it: the handle a driver gets, and the Device Access
 * {@code Device} service. While a driver holds it, the IRQ handlers and DMA memory it takes are
 * tracked so unbinding can take back whatever the driver forgot, and every interrupt handler it
 * registers is guarded: one that throws is reported once to the device manager, which unbinds
 * the driver; until then the guard claims the interrupt so a shared line is not disabled.
 */
final class PciFunctionImpl implements PciDevice, Device {
    static final int PCI_COMMAND = 0x04;
    static final int PCI_COMMAND_IO = 0x1;
    static final int PCI_COMMAND_MEMORY = 0x2;
    static final int PCI_COMMAND_MASTER = 0x4;

    private final PciAddress address;
    private final PciConfigAccess config;
    private final IoPortSpace ports;
    private final MemoryBus memory;
    private final Interrupts interrupts;
    private final DmaAllocatorImpl dmaRoot;
    private final LegacyResources legacy;
    final int vendorId;
    final int deviceId;
    final int subsystemVendorId;
    final int subsystemId;
    final int revision;
    final int classCode;
    final int irq;
    final List<PciBar> bars;
    private volatile boolean present = true;

    // Binding state, guarded by the device manager's lock.
    String driverName;
    String driverOverride;
    String failure;
    boolean noDriverReported;
    org.alosj.kernel.pci.PciBinding binding;
    org.osgi.framework.ServiceReference<?> boundDriver;
    private DmaAllocatorImpl bindingDma;
    /** Who holds this function's legacy claims while it is bound ({@code 00:01.1 ata_piix}). */
    private volatile String bindingOwner;
    private final Set<InterruptRegistration> bindingIrqs = ConcurrentHashMap.newKeySet();
    private final Set<MessageInterrupts> bindingMessages = ConcurrentHashMap.newKeySet();
    /** Told when a handler of the current binding throws (the device manager unbinds it). */
    private volatile FaultListener faults = (f, generation, why) -> { };
    /** Counts bindings, so a late fault of an earlier driver does not unbind the next. */
    private volatile long bindingGeneration;

    /** What the device manager does when a bound driver's interrupt handler throws. */
    interface FaultListener {
        void handlerFailed(PciFunctionImpl function, long generation, String why);
    }

    PciFunctionImpl(PciAddress address, PciConfigAccess config, IoPortSpace ports, MemoryBus memory,
                    Interrupts interrupts, DmaAllocatorImpl dmaRoot, LegacyResources legacy, int irq,
                    List<PciBar> bars) {
        this.address = address;
        this.config = config;
        this.ports = ports;
        this.memory = memory;
        this.interrupts = interrupts;
        this.dmaRoot = dmaRoot;
        this.legacy = legacy;
        this.vendorId = config.read(address, 0x00, 2);
        this.deviceId = config.read(address, 0x02, 2);
        this.revision = config.read(address, 0x08, 1);
        this.classCode = config.read(address, 0x08, 4) >>> 8;
        this.subsystemVendorId = config.read(address, 0x2C, 2);
        this.subsystemId = config.read(address, 0x2E, 2);
        this.irq = irq;
        this.bars = List.copyOf(bars);
    }

    void markGone() {
        present = false;
    }

    void setFaultListener(FaultListener listener) {
        faults = listener;
    }

    long bindingGeneration() {
        return bindingGeneration;
    }

    /**
     * The driver's handler behind a guard: the first exception or error out of it is logged and
     * reported with this binding's generation; from then on the handler is not called again and
     * the interrupt is claimed, until the device manager has unbound the driver.
     */
    private InterruptHandler guarded(String name, InterruptHandler handler) {
        long generation = bindingGeneration;
        AtomicBoolean failed = new AtomicBoolean();
        return line -> {
            if (failed.get()) {
                return true;
            }
            try {
                return handler.handle(line);
            } catch (RuntimeException | Error e) {
                if (failed.compareAndSet(false, true)) {
                    String why = "interrupt handler " + name + " threw "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                    faults.handlerFailed(this, generation, why);
                }
                return true;
            }
        };
    }

    /** Starts tracking a driver's resources. */
    void beginBinding(String driver) {
        bindingGeneration++;
        bindingDma = dmaRoot.scoped(address + " " + driver);
        bindingOwner = address + " " + driver;
    }

    /** Takes back what the driver left behind; returns a description of leaks, or null. */
    String endBinding() {
        StringBuilder leaks = new StringBuilder();
        for (InterruptRegistration r : bindingIrqs) {
            r.close();
            leaks.append("an IRQ ").append(r.irq()).append(" handler; ");
        }
        bindingIrqs.clear();
        for (MessageInterrupts m : List.copyOf(bindingMessages)) {
            m.close();
            leaks.append(m.kind()).append(" vectors ").append(m.vectors()).append("; ");
        }
        bindingMessages.clear();
        String owner = bindingOwner;
        if (owner != null && legacy != null) {
            legacy.releaseAll(owner);
        }
        bindingOwner = null;
        if (bindingDma != null) {
            int n = bindingDma.freeAll();
            if (n > 0) {
                leaks.append(n).append(" DMA buffer(s); ");
            }
            bindingDma = null;
        }
        if (present) {
            configWrite16(PCI_COMMAND, configRead16(PCI_COMMAND) & ~PCI_COMMAND_MASTER);
        }
        return leaks.length() == 0 ? null : leaks.substring(0, leaks.length() - 2);
    }

    @Override
    public PciAddress address() {
        return address;
    }

    @Override
    public int vendorId() {
        return vendorId;
    }

    @Override
    public int deviceId() {
        return deviceId;
    }

    @Override
    public int subsystemVendorId() {
        return subsystemVendorId;
    }

    @Override
    public int subsystemId() {
        return subsystemId;
    }

    @Override
    public int revision() {
        return revision;
    }

    @Override
    public int classCode() {
        return classCode;
    }

    @Override
    public int irq() {
        return irq;
    }

    @Override
    public List<PciBar> bars() {
        return bars;
    }

    @Override
    public Optional<PciBar> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }

    @Override
    public int configRead8(int offset) {
        return config.read(address, offset, 1);
    }

    @Override
    public int configRead16(int offset) {
        return config.read(address, offset, 2);
    }

    @Override
    public int configRead32(int offset) {
        return config.read(address, offset, 4);
    }

    @Override
    public void configWrite8(int offset, int value) {
        config.write(address, offset, 1, value);
    }

    @Override
    public void configWrite16(int offset, int value) {
        config.write(address, offset, 2, value);
    }

    @Override
    public void configWrite32(int offset, int value) {
        config.write(address, offset, 4, value);
    }

    @Override
    public void enable() {
        int command = configRead16(PCI_COMMAND);
        for (PciBar b : bars) {
            if (b.kind() == PciBar.Kind.IO) {
                command |= PCI_COMMAND_IO;
            } else if (b.kind() != PciBar.Kind.ROM) {
                command |= PCI_COMMAND_MEMORY;
            }
        }
        configWrite16(PCI_COMMAND, command);
    }

    @Override
    public void setBusMaster(boolean enabled) {
        int command = configRead16(PCI_COMMAND);
        configWrite16(PCI_COMMAND, enabled ? command | PCI_COMMAND_MASTER : command & ~PCI_COMMAND_MASTER);
    }

    private PciBar requireBar(int index, boolean io) {
        PciBar bar = bar(index).orElseThrow(() -> new IllegalArgumentException(
                address + " has no BAR" + index));
        if (bar.isIo() != io) {
            throw new IllegalArgumentException(address + " BAR" + index + " is " + bar.kind()
                    + ", not " + (io ? "I/O" : "memory"));
        }
        return bar;
    }

    @Override
    public IoRegion ioRegion(int index) {
        PciBar bar = requireBar(index, true);
        return new IoWindow(ports, (int) bar.address(), (int) bar.size());
    }

    @Override
    public MmioRegion mmioRegion(int index) {
        PciBar bar = requireBar(index, false);
        return new MmioWindow(memory, bar.address(), bar.size());
    }

    @Override
    public DmaAllocator dma() {
        DmaAllocatorImpl d = bindingDma;
        if (d == null) {
            throw new IllegalStateException(address + " is not bound to a driver: no DMA memory for it");
        }
        return d;
    }

    @Override
    public InterruptRegistration requestIrq(String name, InterruptHandler handler) {
        if (irq < 0) {
            throw new IllegalStateException(address + " has no interrupt pin");
        }
        InterruptRegistration r = interrupts.register(irq, name, guarded(name, handler));
        bindingIrqs.add(r);
        return new InterruptRegistration() {
            @Override
            public int irq() {
                return r.irq();
            }

            @Override
            public void close() {
                bindingIrqs.remove(r);
                r.close();
            }
        };
    }

    @Override
    public MessageInterrupts enableMsi(String name, InterruptHandler handler) {
        if (bindingOwner == null) {
            throw new IllegalStateException(address + " is not bound to a driver: no MSI for it");
        }
        MessageInterrupts[] self = new MessageInterrupts[1];
        self[0] = MessageSignalling.enableMsi(this, interrupts, name, guarded(name, handler),
                () -> bindingMessages.remove(self[0]));
        bindingMessages.add(self[0]);
        return self[0];
    }

    @Override
    public MessageInterrupts enableMsix(String name, List<InterruptHandler> handlers) {
        if (bindingOwner == null) {
            throw new IllegalStateException(address + " is not bound to a driver: no MSI-X for it");
        }
        MessageInterrupts[] self = new MessageInterrupts[1];
        List<InterruptHandler> given = List.copyOf(handlers);
        List<InterruptHandler> guardedHandlers = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            guardedHandlers.add(guarded(given.size() == 1 ? name : name + "-" + i, given.get(i)));
        }
        self[0] = MessageSignalling.enableMsix(this, interrupts, name, guardedHandlers,
                () -> bindingMessages.remove(self[0]));
        bindingMessages.add(self[0]);
        return self[0];
    }

    private String requireBinding(String what) {
        String owner = bindingOwner;
        if (owner == null || legacy == null) {
            throw new IllegalStateException(address + " is not bound to a driver: no " + what + " for it");
        }
        return owner;
    }

    @Override
    public IoRegion legacyIoRegion(int base, int length) {
        legacy.claimPorts(base, length, requireBinding("legacy I/O ports"));
        return new IoWindow(ports, base, length);
    }

    @Override
    public InterruptRegistration requestLegacyIrq(int isaIrq, String name, InterruptHandler handler) {
        String owner = requireBinding("legacy IRQ");
        legacy.claimIrq(isaIrq, owner);
        InterruptRegistration r;
        try {
            r = interrupts.register(isaIrq, name, guarded(name, handler));
        } catch (RuntimeException e) {
            legacy.releaseIrq(isaIrq, owner);
            throw e;
        }
        bindingIrqs.add(r);
        return new InterruptRegistration() {
            @Override
            public int irq() {
                return isaIrq;
            }

            @Override
            public void close() {
                if (bindingIrqs.remove(r)) {
                    r.close();
                    legacy.releaseIrq(isaIrq, owner);
                }
            }
        };
    }

    @Override
    public boolean present() {
        return present && configRead16(0x00) != 0xFFFF;
    }

    @Override
    public void noDriverFound() {
        noDriverReported = true;
    }

    @Override
    public String toString() {
        return String.format("%s [%04x:%04x]", address, vendorId, deviceId);
    }
}
