package org.alosj.drivers.e1000e;

import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The hold on one function, shared by both drivers: the NIC is registered as a NetDevice in the
 * bundle's name, and on removal consumers lose the service before the MAC stops.
 */
final class NicBinding implements PciBinding {
    private final E1000Nic nic;
    private final ServiceRegistration<NetDevice> registration;
    private final AtomicBoolean removed = new AtomicBoolean();

    private NicBinding(E1000Nic nic, ServiceRegistration<NetDevice> registration) {
        this.nic = nic;
        this.registration = registration;
    }

    /** Brings {@code device} up and registers it; on failure nothing is left behind. */
    static NicBinding probe(BundleContext context, PciDevice device, E1000Nic.Family family, String model) {
        return probe(context, device, family, model, E1000Nic.IntMode.MSIX);
    }

    static NicBinding probe(BundleContext context, PciDevice device, E1000Nic.Family family, String model,
                            E1000Nic.IntMode intMode) {
        E1000Nic nic = E1000Nic.open(device, family, model, intMode);
        try {
            return new NicBinding(nic, context.registerService(NetDevice.class, nic, serviceProperties(nic)));
        } catch (RuntimeException e) {
            nic.close();
            throw e;
        }
    }

    static Hashtable<String, Object> serviceProperties(E1000Nic nic) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.SLOT, nic.slot());
        props.put(DeviceProperties.DRIVER, nic.family().driver);
        props.put(DeviceProperties.MODEL, "Intel " + nic.model());
        props.put(NetDevice.MAC, MacAddress.format(nic.macAddress()));
        return props;
    }

    E1000Nic nic() {
        return nic;
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
