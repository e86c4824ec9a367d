package org.alosj.kernel.pci;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The message-signalled interrupts a driver enabled on its function (MSI with one vector, or
 * MSI-X with one vector per table entry). Closing turns the capability off, masks the entries and
 * frees the vectors; unbinding the function does it for a driver that forgot.
 *
 * @since 1.3
 */
@ProviderType
public interface MessageInterrupts extends AutoCloseable {
    /** {@code PCI-MSI} or {@code PCI-MSI-X}, as /proc/interrupts names the chip. */
    String kind();

    /** The CPU vector of each entry, in the order the handlers were given. */
    List<Integer> vectors();

    @Override
    void close();
}
