package org.alosj.hal.board.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;

/**
 * ACPI PCI hot-plug as QEMU's {@code pc} machine has it (its acpi-pcihp block and DSDT): a
 * register block at 0xAE00 and the PCI hot-plug general-purpose event, GPE0 bit 1, which the
 * PIIX4 PM function turns into the SCI.
 * <ul>
 *   <li>{@code PCI_UP} (0xAE00): slots where a device appeared; reading it clears it.
 *   <li>{@code PCI_DOWN} (0xAE04): slots the machine asks the OS to eject (an unplug request)
 *       or that lost their device; a slot's bit stays set until the slot is ejected.
 *   <li>{@code PCI_EJ} (0xAE08): writing a slot's bit ejects it (the DSDT's {@code _EJ0}): its
 *       functions leave the bus and its down bit clears.
 *   <li>{@code PCI_RMV} (0xAE0C): the slots that are removable (all but the chipset's 0 and 1).
 * </ul>
 * Every change of up or down raises the GPE; the OS clears GPE0_STS, reads the bitmaps and
 * acts (the DSDT's {@code PCNT}: device check for up, eject request for down).
 */
final class PciHotplugController implements PciBusImpl.HotplugListener {
    static final int PCI_HOTPLUG_BASE = 0xAE00;
    static final int PCI_HOTPLUG_LEN = 0x14;
    static final int PCI_UP = 0x0;
    static final int PCI_DOWN = 0x4;
    static final int PCI_EJ = 0x8;
    static final int PCI_RMV = 0xC;
    /** Bus select of QEMU's bridge-aware block: bus 0 is the only bus here, so it reads 0. */
    static final int PCI_SEL = 0x10;
    /** Slots 0 and 1 hold the host bridge and the PIIX functions. */
    static final int NOT_REMOVABLE = 0b11;

    private final PciBusImpl bus;
    private final IntConsumer raiseGpe;
    private int up;
    private int down;
    /** Slots being ejected: their removal is the OS's own doing, not news to tell it. */
    private int ejecting;
    /** Unplug requests waiting for the OS to eject their slot, by slot. */
    private final List<List<CompletableFuture<Void>>> ejectWaiters = new ArrayList<>();

    /**
     * @param raiseGpe sets GPE0 status bits (the PM function's {@code raiseGpe})
     */
    PciHotplugController(IoPortSpace ports, PciBusImpl bus, IntConsumer raiseGpe) {
        this.bus = bus;
        this.raiseGpe = raiseGpe;
        for (int i = 0; i < PciBusImpl.SLOTS; i++) {
            ejectWaiters.add(new ArrayList<>());
        }
        ports.map(PCI_HOTPLUG_BASE, PCI_HOTPLUG_LEN, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return read(port - PCI_HOTPLUG_BASE);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                if (port - PCI_HOTPLUG_BASE == PCI_EJ) {
                    eject(value);
                }
            }
        }, "acpi-pcihp");
    }

    private synchronized int read(int reg) {
        return switch (reg) {
            case PCI_UP -> {
                int v = up;
                up = 0;
                yield v;
            }
            case PCI_DOWN -> down;
            case PCI_RMV -> ~NOT_REMOVABLE;
            default -> 0;
        };
    }

    private void eject(int slots) {
        slots &= ~NOT_REMOVABLE;
        for (int slot = 0; slot < PciBusImpl.SLOTS; slot++) {
            if ((slots & (1 << slot)) == 0) {
                continue;
            }
            synchronized (this) {
                ejecting |= 1 << slot;
            }
            bus.eject(slot);
            List<CompletableFuture<Void>> done;
            synchronized (this) {
                ejecting &= ~(1 << slot);
                down &= ~(1 << slot);
                done = new ArrayList<>(ejectWaiters.get(slot));
                ejectWaiters.get(slot).clear();
            }
            done.forEach(f -> f.complete(null));
        }
    }

    /**
     * The machine asks the OS to eject {@code slot} (QEMU's device_del): its down bit and the
     * GPE. The returned future completes once the OS has ejected the slot.
     */
    @Override
    public CompletableFuture<Void> unplugRequested(int slot) {
        CompletableFuture<Void> ejected = new CompletableFuture<>();
        synchronized (this) {
            ejectWaiters.get(slot).add(ejected);
            down |= 1 << slot;
        }
        raiseGpe.accept(Piix4Pm.ACPI_PCI_HOTPLUG_STATUS);
        return ejected;
    }

    @Override
    public void plugged(int slot) {
        synchronized (this) {
            up |= 1 << slot;
            down &= ~(1 << slot);
        }
        raiseGpe.accept(Piix4Pm.ACPI_PCI_HOTPLUG_STATUS);
    }

    /**
     * A surprise removal (the device's model went away without asking): the OS is told through
     * the down bit, which its eject of the now empty slot clears.
     */
    @Override
    public void unplugged(int slot) {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            if ((ejecting & 1 << slot) != 0) {
                return;
            }
            up &= ~(1 << slot);
            down |= 1 << slot;
            done = new ArrayList<>(ejectWaiters.get(slot));
            ejectWaiters.get(slot).clear();
        }
        done.forEach(f -> f.complete(null));
        raiseGpe.accept(Piix4Pm.ACPI_PCI_HOTPLUG_STATUS);
    }
}
