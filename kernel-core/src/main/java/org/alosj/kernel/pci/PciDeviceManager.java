package org.alosj.kernel.pci;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The kernel's view of the PCI bus and the bindings on it, with Linux's sysfs controls. */
@ProviderType
public interface PciDeviceManager {
    /** One function and what drives it. */
    record Function(PciAddress address, int vendorId, int deviceId, int subsystemVendorId,
                    int subsystemId, int revision, int classCode, int irq, List<PciBar> bars,
                    String driver, String driverOverride, String failure, List<String> candidates) {
    }

    List<Function> functions();

    Optional<Function> function(PciAddress address);

    /** Names of the PCI drivers present. */
    List<String> drivers();

    /**
     * Binds {@code address} to the driver named {@code driver} (it must list the device in its
     * ID table, or be its override), as writing to a driver's {@code bind} file.
     *
     * @throws IllegalStateException if the function is bound, the driver does not exist or
     *     refuses it (the message says which)
     */
    void bind(PciAddress address, String driver);

    /** Unbinds whatever drives {@code address}; it stays unbound until {@link #reprobe}. */
    void unbind(PciAddress address);

    /**
     * Sets (or clears with null) the only driver allowed to bind {@code address}, as sysfs
     * {@code driver_override}; takes effect at the next probe.
     */
    void setDriverOverride(PciAddress address, String driver);

    /** Runs matching again for {@code address} (as writing to {@code drivers_probe}). */
    void reprobe(PciAddress address);

    /** Reads configuration space directly (for lspci): {@code size} 1, 2 or 4. */
    int configRead(PciAddress address, int offset, int size);
}
