package org.alosj.kernel.pci;

import java.util.List;
import java.util.Optional;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.mem.DmaAllocator;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A PCI function as the kernel found it, handed to the driver that binds it. Every access goes
 * through the configuration ports and the BARs' port or memory windows: this is a driver's whole
 * view of its hardware.
 */
@ProviderType
public interface PciDevice {
    PciAddress address();

    int vendorId();

    int deviceId();

    int subsystemVendorId();

    int subsystemId();

    int revision();

    /** Base class, subclass and programming interface as one 24-bit value. */
    int classCode();

    /** The legacy IRQ its INTx pin is routed to, or -1 when it has no pin. */
    int irq();

    /** The BARs as enumeration sized and placed them (unimplemented ones are absent). */
    List<PciBar> bars();

    Optional<PciBar> bar(int index);

    int configRead8(int offset);

    int configRead16(int offset);

    int configRead32(int offset);

    void configWrite8(int offset, int value);

    void configWrite16(int offset, int value);

    void configWrite32(int offset, int value);

    /** Turns on I/O and memory decoding for the BARs this function has. */
    void enable();

    /** Lets the function master DMA (command register bit 2); off again with {@code false}. */
    void setBusMaster(boolean enabled);

    /** The I/O-port window of BAR {@code index}. */
    IoRegion ioRegion(int index);

    /** The memory window of BAR {@code index}. */
    MmioRegion mmioRegion(int index);

    /** Physically contiguous memory this device can reach by DMA (below 4 GiB). */
    DmaAllocator dma();

    /** Attaches a handler to this function's (shared, level-triggered) INTx line. */
    InterruptRegistration requestIrq(String name, InterruptHandler handler);

    /**
     * The fixed ISA-style I/O ports {@code [base, base + length)} a function in a legacy mode
     * decodes besides its BARs (an IDE controller in compatibility mode: 0x1F0–0x1F7 and 0x3F6).
     * The claim is exclusive and lasts until the function is unbound.
     *
     * @throws IllegalArgumentException if the range is empty or reaches the PCI I/O window
     *     (0xC000 and up)
     * @throws IllegalStateException if another driver or the board holds one of these ports, or
     *     the function is not bound
     * @since 1.1
     */
    IoRegion legacyIoRegion(int base, int length);

    /**
     * Attaches a handler to ISA IRQ {@code isaIrq} (edge-triggered, not shared), which a function
     * in a legacy mode raises instead of its INTx pin (IDE compatibility mode: IRQ 14 and 15).
     * Closing the registration releases the line; unbinding releases it too.
     *
     * @throws IllegalArgumentException if the IRQ does not exist (0–15)
     * @throws IllegalStateException if another driver or the board holds the line, it carries
     *     PCI interrupts, or the function is not bound
     * @since 1.1
     */
    InterruptRegistration requestLegacyIrq(int isaIrq, String name, InterruptHandler handler);

    /**
     * Enables MSI with one vector and {@code handler} on it, as Linux's
     * {@code pci_alloc_irq_vectors(dev, 1, 1, PCI_IRQ_MSI)}: the kernel allocates the vector,
     * writes the message address and data into the capability, unmasks it and sets MSI Enable.
     * While it is on, the function does not signal INTx.
     *
     * @throws IllegalStateException if the function has no MSI capability, already has MSI or
     *     MSI-X on, no vector is free, or it is not bound; a driver then falls back to
     *     {@link #requestIrq}
     * @since 1.3
     */
    MessageInterrupts enableMsi(String name, InterruptHandler handler);

    /**
     * Enables MSI-X with one vector per handler, entry {@code i} of the table getting
     * {@code handlers.get(i)} (Linux's {@code pci_alloc_irq_vectors(dev, n, n, PCI_IRQ_MSIX)}): the
     * kernel allocates the vectors, programs each table entry through the BAR the capability
     * names, unmasks the entries and lifts the function mask.
     *
     * @throws IllegalArgumentException if there are no handlers or more than the table's size
     * @throws IllegalStateException if the function has no MSI-X capability, already has MSI or
     *     MSI-X on, the vectors run out, or it is not bound
     * @since 1.3
     */
    MessageInterrupts enableMsix(String name, List<InterruptHandler> handlers);

    /** Whether the function is still on the bus (false after a surprise removal). */
    boolean present();
}
