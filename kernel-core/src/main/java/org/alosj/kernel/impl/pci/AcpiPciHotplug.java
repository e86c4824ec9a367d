package org.alosj.kernel.impl.pci;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.irq.InterruptRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACPI PCI hot-plug, the part of the kernel that Linux's acpiphp and the DSDT's {@code _E01}
 * method play on QEMU's {@code pc}: the hot-plug general-purpose event (GPE0 bit 1, in the GPE0
 * block at 0xAFE0) arrives on the SCI, IRQ 9, a level line shared with the fixed events. The
 * handler claims the interrupt only when its GPE is both enabled and pending, acknowledges it by
 * writing one to the status bit, and reads the hot-plug block at 0xAE00: {@code PCI_UP} (slots
 * with a new device; the read clears it) and {@code PCI_DOWN} (slots the machine wants ejected,
 * or that lost their device). The rescan and the unbinding sleep, so they are deferred work;
 * once a down slot's driver has let go, writing its bit to {@code PCI_EJ} ejects it ({@code _EJ0}).
 *
 * <p>Status is cleared before the bitmaps are read, so an event that lands after the read sets
 * the status again and comes back as a new interrupt rather than being lost.
 */
public final class AcpiPciHotplug implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.acpiphp");

    public static final int SCI_IRQ = 9;
    static final int GPE0_BLK = 0xAFE0;
    static final int GPE0_STS = GPE0_BLK;
    static final int GPE0_EN = GPE0_BLK + 2;
    /** GPE 1: PCI hot-plug on QEMU's pc (its DSDT's \_GPE._E01). */
    static final int GPE_PCI_HOTPLUG = 1 << 1;
    static final int PCI_HOTPLUG_BASE = 0xAE00;
    static final int PCI_UP = PCI_HOTPLUG_BASE;
    static final int PCI_DOWN = PCI_HOTPLUG_BASE + 0x4;
    static final int PCI_EJ = PCI_HOTPLUG_BASE + 0x8;

    /** What the deferred work does with a report: the device manager's rescan. */
    public interface SlotHandler {
        void hotplug(int insertedSlots, int removedSlots);
    }

    private final IoPortSpace ports;
    private final SlotHandler slots;
    private final Executor deferred;
    private final InterruptRegistration registration;
    private final AtomicLong events = new AtomicLong();

    /**
     * Acknowledges what happened before boot (enumeration is about to see the bus as it is),
     * ejects slots whose removal was pending, enables the GPE and attaches to the SCI.
     */
    public AcpiPciHotplug(IoPortSpace ports, InterruptManager interrupts, Executor deferred, SlotHandler slots) {
        this.ports = ports;
        this.slots = slots;
        this.deferred = deferred;
        ports.outw(GPE0_STS, GPE_PCI_HOTPLUG);
        ports.inl(PCI_UP);
        int down = ports.inl(PCI_DOWN);
        if (down != 0) {
            ports.outl(PCI_EJ, down);
        }
        interrupts.setLevelTriggered(SCI_IRQ);
        registration = interrupts.register(SCI_IRQ, "acpi-gpe", irq -> handle());
        ports.outw(GPE0_EN, ports.inw(GPE0_EN) | GPE_PCI_HOTPLUG);
    }

    /** Interrupt context: claim, acknowledge and defer. */
    private boolean handle() {
        int sts = ports.inw(GPE0_STS);
        int en = ports.inw(GPE0_EN);
        if ((sts & en & GPE_PCI_HOTPLUG) == 0) {
            return false; // the SCI is shared: a fixed event, not ours
        }
        ports.outw(GPE0_STS, GPE_PCI_HOTPLUG);
        int up = ports.inl(PCI_UP);
        int down = ports.inl(PCI_DOWN);
        events.incrementAndGet();
        if ((up | down) != 0) {
            deferred.execute(() -> process(up, down));
        }
        return true;
    }

    /** Deferred work: rescan what came, unbind what goes, then eject the slots that go. */
    void process(int up, int down) {
        try {
            slots.hotplug(up, down);
        } catch (RuntimeException e) {
            LOG.error("hot-plug of slots up {} down {} failed: {}", Integer.toHexString(up),
                    Integer.toHexString(down), e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (down != 0) {
            LOG.info("ejecting slot(s) {}", slotList(down));
            ports.outl(PCI_EJ, down);
        }
    }

    private static String slotList(int bits) {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < 32; s++) {
            if ((bits & 1 << s) != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(String.format("%02x", s));
            }
        }
        return b.toString();
    }

    /** Hot-plug events taken (interrupts this handler claimed). */
    public long events() {
        return events.get();
    }

    @Override
    public void close() {
        ports.outw(GPE0_EN, ports.inw(GPE0_EN) & ~GPE_PCI_HOTPLUG);
        registration.close();
    }
}
