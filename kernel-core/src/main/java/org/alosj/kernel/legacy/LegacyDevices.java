package org.alosj.kernel.legacy;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's register of fixed ISA resources, shared with the PCI device manager (which hands
 * the same ports and IRQs to functions in a legacy mode); a service.
 */
@ProviderType
public interface LegacyDevices {
    /**
     * Opens a claim for {@code owner} (a name shown in errors, such as {@code i8042}); the claim
     * holds nothing until ports or IRQs are requested through it.
     */
    LegacyClaim claim(String owner);
}
