package org.alosj.drivers.e1000e;

import java.util.List;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The e1000e PCI driver: the 82574L (QEMU's {@code e1000e}), brought up as an {@link E1000Nic}
 * with extended receive descriptors and registered as a NetDevice service.
 */
@Component(service = PciDriver.class, immediate = true)
public final class E1000eDriver implements PciDriver {
    static final String NAME = "e1000e";
    static final int E1000_DEV_ID_82574L = 0x10D3;

    private final BundleContext context;

    @Activate
    public E1000eDriver(BundleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(E1000Driver.PCI_VENDOR_INTEL, E1000_DEV_ID_82574L));
    }

    @Override
    public PciBinding probe(PciDevice device) {
        return NicBinding.probe(context, device, E1000Nic.Family.E82574, "82574L");
    }
}
