package org.alosj.drivers.ata;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The ata_piix PCI driver: the device manager probes it for the PIIX IDE function; each probe
 * brings up both channels and registers every ATA disk found as a BlockDevice service named
 * for its position. Configured by PID {@value #PID}: {@code pio=true} forces PIO (for
 * benchmarks and tests); a change rebinds the controller.
 */
@Component(service = PciDriver.class, immediate = true, configurationPid = AtaPiixDriver.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AtaPiixDriver implements PciDriver {
    public static final String PID = "org.alosj.drivers.ata";
    static final String NAME = "ata_piix";
    static final int PCI_VENDOR_ID_INTEL = 0x8086;
    static final int PCI_DEVICE_ID_INTEL_82371SB_1 = 0x7010; // PIIX3 IDE
    static final int PCI_DEVICE_ID_INTEL_82371AB = 0x7111;   // PIIX4 IDE
    /** Mass storage, IDE interface (any programming interface): a compatibility-mode controller. */
    static final int PCI_CLASS_STORAGE_IDE = 0x010100;
    static final int PCI_CLASS_MASK_SUBCLASS = 0xFFFF00;
    /** Service property on each BlockDevice: "dma" or "pio". */
    static final String TRANSFER = "ata.transfer";

    /** Configuration of the driver. */
    public @interface Config {
        /** Move data by PIO even where bus-master DMA is offered. */
        boolean pio() default false;
    }

    private final BundleContext context;
    private final boolean forcePio;
    private final long commandTimeoutMs;

    @Activate
    public AtaPiixDriver(BundleContext context, Config config) {
        this(context, config.pio());
    }

    AtaPiixDriver(BundleContext context, boolean forcePio) {
        this(context, forcePio, IdeChannel.COMMAND_TIMEOUT_MS);
    }

    /** With a shorter command timeout, for tests of the recovery path. */
    AtaPiixDriver(BundleContext context, boolean forcePio, long commandTimeoutMs) {
        this.context = context;
        this.forcePio = forcePio;
        this.commandTimeoutMs = commandTimeoutMs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        // The PIIX parts by ID; any other IDE interface by class, as long as its channels are in
        // compatibility mode (probe refuses native mode).
        return List.of(PciId.of(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371SB_1),
                PciId.of(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371AB),
                PciId.ofClass(PCI_CLASS_STORAGE_IDE, PCI_CLASS_MASK_SUBCLASS));
    }

    @Override
    public PciBinding probe(PciDevice device) throws InterruptedException {
        IdeController controller = IdeController.open(device, forcePio, commandTimeoutMs);
        List<ServiceRegistration<BlockDevice>> registrations = new ArrayList<>();
        try {
            for (AtaDisk disk : controller.disks()) {
                registrations.add(context.registerService(BlockDevice.class, disk, serviceProperties(device, disk)));
            }
        } catch (RuntimeException e) {
            unregister(registrations);
            controller.close();
            throw e;
        }
        return new Binding(controller, registrations);
    }

    static Hashtable<String, Object> serviceProperties(PciDevice device, AtaDisk disk) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BlockDevice.NAME, disk.name);
        props.put(DeviceProperties.SLOT, device.address().toString());
        props.put(DeviceProperties.DRIVER, NAME);
        props.put(DeviceProperties.MODEL, disk.identity.model());
        props.put("ata.serial", disk.identity.serial());
        props.put("block.sectors", disk.sectorCount());
        props.put(TRANSFER, disk.dma ? "dma" : "pio");
        return props;
    }

    private static void unregister(List<ServiceRegistration<BlockDevice>> registrations) {
        for (ServiceRegistration<BlockDevice> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it as the bundle stopped
            }
        }
    }

    /** The hold on the controller: consumers lose the disks before the channels stop. */
    private static final class Binding implements PciBinding {
        private final IdeController controller;
        private final List<ServiceRegistration<BlockDevice>> registrations;
        private final AtomicBoolean removed = new AtomicBoolean();

        Binding(IdeController controller, List<ServiceRegistration<BlockDevice>> registrations) {
            this.controller = controller;
            this.registrations = registrations;
        }

        @Override
        public void remove() {
            if (removed.compareAndSet(false, true)) {
                unregister(registrations);
                controller.close();
            }
        }
    }
}
