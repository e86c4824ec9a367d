package org.alosj.hal.pci;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** Bus 0 of the PC: 32 slots of up to 8 functions each. */
@ProviderType
public interface PciBus {
    int SLOTS = 32;

    /**
     * Inserts {@code function} at {@code slot.function}; a negative slot takes the lowest free
     * slot from 1 up. While the machine runs this is a hot-plug event the OS is told of.
     *
     * @return the devfn it was placed at ({@code slot << 3 | function})
     * @throws IllegalStateException if the slot is taken or the bus is full
     */
    int plug(PciFunction function, int slot, int functionNumber);

    /** Removes the function (surprise removal: the OS is told after the fact). No-op if absent. */
    void unplug(PciFunction function);

    /**
     * Asks the OS to let go of the function's slot, as QEMU's {@code device_del} does through
     * ACPI: the OS is told (an eject request), stops using the device and ejects the slot, and
     * only then does the function leave the bus. Returns at once; the stage completes when the
     * slot is empty (it never completes if the OS does not eject). Already completed if the
     * function is not on the bus.
     */
    CompletionStage<Void> requestUnplug(PciFunction function);

    /** The functions present, by devfn. */
    List<PciFunction> functions();
}
