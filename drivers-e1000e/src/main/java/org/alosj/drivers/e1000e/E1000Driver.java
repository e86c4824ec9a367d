package org.alosj.drivers.e1000e;

import java.util.List;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The e1000 PCI driver: the 8254x parts QEMU models (82540EM, 82544GC, 82545EM), each brought
 * up as an {@link E1000Nic} and registered as a NetDevice service.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PciDriver.class, immediate = true)
public final class E1000Driver implements PciDriver {
    static final String NAME = "e1000";
    static final int PCI_VENDOR_INTEL = 0x8086;
    static final int E1000_DEV_ID_82540EM = 0x100E;
    static final int E1000_DEV_ID_82544GC_COPPER = 0x100C;
    static final int E1000_DEV_ID_82545EM_COPPER = 0x100F;

    private final BundleContext context;

    @Activate
    public E1000Driver(BundleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(PCI_VENDOR_INTEL, E1000_DEV_ID_82540EM),
                PciId.of(PCI_VENDOR_INTEL, E1000_DEV_ID_82544GC_COPPER),
                PciId.of(PCI_VENDOR_INTEL, E1000_DEV_ID_82545EM_COPPER));
    }

    @Override
    public PciBinding probe(PciDevice device) {
        return NicBinding.probe(context, device, E1000Nic.Family.E8254X, modelOf(device.deviceId()));
    }

    static String modelOf(int deviceId) {
        return switch (deviceId) {
            case E1000_DEV_ID_82540EM -> "82540EM";
            case E1000_DEV_ID_82544GC_COPPER -> "82544GC";
            case E1000_DEV_ID_82545EM_COPPER -> "82545EM";
            default -> String.format("8254x (%04x)", deviceId);
        };
    }
}
