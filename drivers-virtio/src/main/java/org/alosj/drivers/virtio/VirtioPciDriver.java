package org.alosj.drivers.virtio;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio-pci PCI driver, as Linux's: it binds every virtio function on PCI by its ID table,
 * modern and transitional, and brings up the device behind it by its virtio device ID: a
 * virtio-net becomes a NetDevice, a virtio-blk a BlockDevice named {@code vda}, {@code vdb}, …
 * by its place among the virtio-blk functions in slot order (so the name stays with the slot
 * across a driver swap). Services are registered in this bundle's name: stopping the bundle
 * takes them away with the driver.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PciDriver.class, immediate = true)
public final class VirtioPciDriver implements PciDriver {
    static final String NAME = "virtio-pci";
    private static final Logger LOG = LoggerFactory.getLogger("drivers.virtio");
    static final int PCI_VENDOR_ID_REDHAT_QUMRANET = 0x1af4;
    static final int PCI_DEVICE_ID_VIRTIO_NET = 0x1000;
    static final int PCI_DEVICE_ID_VIRTIO_BLOCK = 0x1001;
    static final int PCI_DEVICE_ID_VIRTIO_10_BASE = 0x1040;
    static final int VIRTIO_ID_NET = 1;
    static final int VIRTIO_ID_BLOCK = 2;

    private final BundleContext context;
    private final PciDeviceManager devices;

    @Activate
    public VirtioPciDriver(BundleContext context, @Reference(name = "devices") PciDeviceManager devices) {
        this.context = context;
        this.devices = devices;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_DEVICE_ID_VIRTIO_NET),
                PciId.of(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_DEVICE_ID_VIRTIO_BLOCK),
                PciId.of(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_DEVICE_ID_VIRTIO_10_BASE + VIRTIO_ID_NET),
                PciId.of(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_DEVICE_ID_VIRTIO_10_BASE + VIRTIO_ID_BLOCK));
    }

    /**
     * The virtio device ID: a modern function's device ID minus 0x1040, a transitional one's
     * subsystem ID (virtio 1.x section 4.1.2.1).
     */
    static int virtioId(int deviceId, int subsystemId) {
        return deviceId >= PCI_DEVICE_ID_VIRTIO_10_BASE ? deviceId - PCI_DEVICE_ID_VIRTIO_10_BASE : subsystemId;
    }

    static boolean isBlock(int vendorId, int deviceId, int subsystemId) {
        return vendorId == PCI_VENDOR_ID_REDHAT_QUMRANET && deviceId >= PCI_DEVICE_ID_VIRTIO_NET
                && deviceId <= 0x107F && virtioId(deviceId, subsystemId) == VIRTIO_ID_BLOCK;
    }

    @Override
    public PciBinding probe(PciDevice device) {
        int id = virtioId(device.deviceId(), device.subsystemId());
        Transport transport = Transport.open(device);
        return switch (id) {
            case VIRTIO_ID_NET -> probeNet(device, transport);
            case VIRTIO_ID_BLOCK -> probeBlock(device, transport);
            default -> throw new IllegalStateException(String.format("%s: virtio device ID %d is neither net (1) nor block (2)",
                    device.address(), id));
        };
    }

    private PciBinding probeNet(PciDevice device, Transport transport) {
        VirtioNetNic nic = VirtioNetNic.open(device, transport, () -> rebind(device.address()));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.SLOT, nic.slot());
        props.put(DeviceProperties.DRIVER, NAME);
        props.put(DeviceProperties.MODEL, "virtio-net");
        props.put(NetDevice.MAC, MacAddress.format(nic.macAddress()));
        ServiceRegistration<NetDevice> registration;
        try {
            registration = context.registerService(NetDevice.class, nic, props);
        } catch (RuntimeException e) {
            nic.close();
            throw e;
        }
        return new Binding(registration, nic::close);
    }

    private PciBinding probeBlock(PciDevice device, Transport transport) {
        String name = diskName(device.address());
        VirtioBlkDisk disk = VirtioBlkDisk.open(name, device, transport, () -> rebind(device.address()));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BlockDevice.NAME, name);
        props.put(DeviceProperties.SLOT, device.address().toString());
        props.put(DeviceProperties.DRIVER, NAME);
        props.put(DeviceProperties.MODEL, "virtio-blk");
        props.put("block.sectors", disk.sectorCount());
        if (!disk.serial().isEmpty()) {
            props.put("virtio.serial", disk.serial());
        }
        ServiceRegistration<BlockDevice> registration;
        try {
            registration = context.registerService(BlockDevice.class, disk, props);
        } catch (RuntimeException e) {
            disk.close();
            throw e;
        }
        return new Binding(registration, disk::close);
    }

    /**
     * DEVICE_NEEDS_RESET: unbinds the function and probes it again, which resets the device and
     * sets it up from scratch; consumers see the driver go and come back as in a swap. Runs on a
     * thread of its own, as the interrupt handler that learns of it must not block.
     */
    private void rebind(PciAddress address) {
        Thread t = new Thread(() -> {
            try {
                devices.unbind(address);
                devices.reprobe(address);
            } catch (RuntimeException e) {
                LOG.error("{}: binding the device again after DEVICE_NEEDS_RESET failed: {}", address, e.toString());
            }
        }, "virtio-pci reset " + address);
        t.setDaemon(true);
        t.start();
    }

    /** vda for the first virtio-blk function in slot order, vdb for the second, … vdz, vdaa, … */
    String diskName(PciAddress address) {
        int index = 0;
        for (PciDeviceManager.Function f : devices.functions()) {
            if (f.address().compareTo(address) < 0 && isBlock(f.vendorId(), f.deviceId(), f.subsystemId())) {
                index++;
            }
        }
        return "vd" + letters(index);
    }

    static String letters(int index) {
        String s = "";
        int i = index;
        do {
            s = (char) ('a' + i % 26) + s;
            i = i / 26 - 1;
        } while (i >= 0);
        return s;
    }

    /** The hold on one function: consumers lose the service before the device stops. */
    private static final class Binding implements PciBinding {
        private final ServiceRegistration<?> registration;
        private final Runnable close;
        private final AtomicBoolean removed = new AtomicBoolean();

        Binding(ServiceRegistration<?> registration, Runnable close) {
            this.registration = registration;
            this.close = close;
        }

        @Override
        public void remove() {
            if (!removed.compareAndSet(false, true)) {
                return;
            }
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it as the bundle stopped
            }
            close.run();
        }
    }
}
