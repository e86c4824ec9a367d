package org.alosj.kernel.pci;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A PCI driver, published as a service. The device manager calls {@link #probe} for each
 * unbound function its ID table matches best; the returned binding lives until the function is
 * unbound, the driver goes away or the function is unplugged.
 */
@ConsumerType
public interface PciDriver {
    /** The driver's name, as {@code lspci -k} shows it ({@code pcnet32}). */
    String name();

    /** The functions it drives. */
    List<PciId> idTable();

    /**
     * Takes charge of {@code device}: reset it, set it up, register its services.
     *
     * @throws Exception if the device cannot be driven; the function then shows as failed and
     *     stays unbound
     */
    PciBinding probe(PciDevice device) throws Exception;
}
