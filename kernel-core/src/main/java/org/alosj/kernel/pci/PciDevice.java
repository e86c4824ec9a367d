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

    /** Whether the function is still on the bus (false after a surprise removal). */
    boolean present();
}
