package org.alosj.drivers.pcnet;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
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
 * The pcnet32 PCI driver: the kernel's device manager probes it for each PCnet-PCI function;
 * each probe brings up a {@link PcnetNic} and registers it as a NetDevice service in this
 * bundle's name, so stopping the bundle takes the interfaces away with the driver.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PciDriver.class, immediate = true)
public final class Pcnet32Driver implements PciDriver {
    static final String NAME = "pcnet32";
    static final int PCI_VENDOR_AMD = 0x1022;
    static final int PCI_DEVICE_PCNET_LANCE = 0x2000; // PCnet-PCI II Am79C970A (and the later PCnet-FAST parts)
    static final int PCI_DEVICE_PCNET_HOME = 0x2001;  // PCnet-Home Am79C978

    private final BundleContext context;

    @Activate
    public Pcnet32Driver(BundleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(PCI_VENDOR_AMD, PCI_DEVICE_PCNET_LANCE), PciId.of(PCI_VENDOR_AMD, PCI_DEVICE_PCNET_HOME));
    }

    @Override
    public PciBinding probe(PciDevice device) {
        PcnetNic nic = PcnetNic.open(device);
        ServiceRegistration<NetDevice> registration;
        try {
            registration = context.registerService(NetDevice.class, nic, serviceProperties(nic));
        } catch (RuntimeException e) {
            nic.close();
            throw e;
        }
        return new Binding(nic, registration);
    }

    static Hashtable<String, Object> serviceProperties(PcnetNic nic) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.SLOT, nic.slot());
        props.put(DeviceProperties.DRIVER, NAME);
        props.put(DeviceProperties.MODEL, nic.model());
        props.put(NetDevice.MAC, MacAddress.format(nic.macAddress()));
        return props;
    }

    /** The hold on one function: consumers lose the service before the chip stops. */
    private static final class Binding implements PciBinding {
        private final PcnetNic nic;
        private final ServiceRegistration<NetDevice> registration;
        private final AtomicBoolean removed = new AtomicBoolean();

        Binding(PcnetNic nic, ServiceRegistration<NetDevice> registration) {
            this.nic = nic;
            this.registration = registration;
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
            nic.close();
        }
    }
}
