package org.alosj.drivers.e1000e;

import java.util.List;
import java.util.Map;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The e1000e PCI driver: the 82574L (QEMU's {@code e1000e}), brought up as an {@link E1000Nic}
 * with extended receive descriptors and registered as a NetDevice service. Its configuration
 * property {@code IntMode} is Linux e1000e's module parameter: 0 legacy INTx, 1 MSI, 2 MSI-X
 * (the default); the driver falls back from MSI-X to MSI to INTx when the function or the
 * kernel cannot give what is asked.
 */
@Component(service = PciDriver.class, immediate = true, configurationPid = "org.alosj.drivers.e1000e")
public final class E1000eDriver implements PciDriver {
    static final String NAME = "e1000e";
    static final int E1000_DEV_ID_82574L = 0x10D3;

    static final String INT_MODE = "IntMode";

    private final BundleContext context;
    private final E1000Nic.IntMode intMode;

    @Activate
    public E1000eDriver(BundleContext context, Map<String, Object> properties) {
        this(context, intMode(properties.get(INT_MODE)));
    }

    E1000eDriver(BundleContext context, E1000Nic.IntMode intMode) {
        this.context = context;
        this.intMode = intMode;
    }

    /** IntMode as configured (a number or its text); unset means MSI-X. */
    static E1000Nic.IntMode intMode(Object value) {
        if (value == null) {
            return E1000Nic.IntMode.MSIX;
        }
        try {
            return E1000Nic.IntMode.of(Integer.parseInt(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("IntMode " + value + ": expected 0 (legacy), 1 (MSI) or 2 (MSI-X)");
        }
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
        return NicBinding.probe(context, device, E1000Nic.Family.E82574, "82574L", intMode);
    }
}
