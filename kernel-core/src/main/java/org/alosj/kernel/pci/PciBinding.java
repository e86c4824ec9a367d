package org.alosj.kernel.pci;

import org.osgi.annotation.versioning.ConsumerType;

/** A driver's hold on one function. */
@ConsumerType
public interface PciBinding {
    /**
     * Lets go of the device: stop its DMA and interrupts, hand back buffers, free DMA memory,
     * unregister services. Called once; the device may already be gone (surprise removal), in
     * which case its registers read all ones.
     */
    void remove();
}
