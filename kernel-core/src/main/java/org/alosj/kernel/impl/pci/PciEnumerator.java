package org.alosj.kernel.impl.pci;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What PC firmware does to the PCI bus before an OS runs, done by the kernel since there is no
 * BIOS: route the PIIX3's four interrupt links to ISA IRQs, size every BAR with the
 * write-all-ones protocol, place it in the I/O or MMIO window, write the routed IRQ into the
 * interrupt line register and turn decoding on.
 */
final class PciEnumerator {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.pci");

    static final int PCI_VENDOR_ID = 0x00;
    static final int PCI_COMMAND = 0x04;
    static final int PCI_HEADER_TYPE = 0x0E;
    static final int PCI_BASE_ADDRESS_0 = 0x10;
    static final int PCI_ROM_ADDRESS = 0x30;
    static final int PCI_INTERRUPT_LINE = 0x3C;
    static final int PCI_INTERRUPT_PIN = 0x3D;
    static final int PCI_COMMAND_SERR = 0x100;
    static final int PIIX_PIRQCA = 0x60;
    /** PIRQA..D to IRQ 10, 10, 11, 11: the routing PC firmware uses on this board. */
    static final int[] PIRQ_IRQS = {10, 10, 11, 11};

    /** One BAR as sizing found it, before placement. */
    private record Sized(int index, PciBar.Kind kind, long size, boolean prefetchable) {
    }

    private final PciConfigAccess config;
    private final ResourceWindow ioWindow = new ResourceWindow("PCI I/O", 0xC000, 0x10000, false);
    private final ResourceWindow mmioWindow = new ResourceWindow("PCI MMIO", 0xE000_0000L, 0xFEC0_0000L, true);

    PciEnumerator(PciConfigAccess config) {
        this.config = config;
    }

    /** Programs the PIIX3's PIRQ route registers; returns the IRQs that carry PCI interrupts. */
    List<Integer> routeInterrupts() {
        PciAddress isa = new PciAddress(0, 1, 0);
        if (config.read(isa, 0x00, 4) != 0x7000_8086) {
            LOG.warn("no PIIX3 ISA bridge at 00:01.0: PCI interrupts stay unrouted");
            return List.of();
        }
        for (int pirq = 0; pirq < 4; pirq++) {
            config.write(isa, PIIX_PIRQCA + pirq, 1, PIRQ_IRQS[pirq]);
        }
        return List.of(10, 11);
    }

    int irqFor(PciAddress a, int pin) {
        if (pin < 1 || pin > 4) {
            return -1;
        }
        return PIRQ_IRQS[(pin - 1 + a.device() - 1) & 3];
    }

    boolean exists(PciAddress a) {
        return config.read(a, PCI_VENDOR_ID, 2) != 0xFFFF;
    }

    /** The functions present in {@code slot}. */
    List<PciAddress> scanSlot(int slot) {
        List<PciAddress> found = new ArrayList<>();
        PciAddress f0 = new PciAddress(0, slot, 0);
        if (!exists(f0)) {
            return found;
        }
        found.add(f0);
        if ((config.read(f0, PCI_HEADER_TYPE, 1) & 0x80) != 0) {
            for (int fn = 1; fn < 8; fn++) {
                PciAddress a = new PciAddress(0, slot, fn);
                if (exists(a)) {
                    found.add(a);
                }
            }
        }
        return found;
    }

    /** Sizes and places the BARs of {@code a}, sets its interrupt line; returns the BARs. */
    List<PciBar> configure(PciAddress a) {
        int command = config.read(a, PCI_COMMAND, 2);
        // Decoding off while the BARs hold sizing patterns, or they would claim random ranges.
        config.write(a, PCI_COMMAND, 2, command & ~0x7);
        int headerType = config.read(a, PCI_HEADER_TYPE, 1) & 0x7F;
        List<Sized> sized = new ArrayList<>();
        if (headerType == 0) {
            for (int i = 0; i < 6; i++) {
                int off = PCI_BASE_ADDRESS_0 + 4 * i;
                int original = config.read(a, off, 4);
                config.write(a, off, 4, 0xFFFF_FFFF);
                int mask = config.read(a, off, 4);
                config.write(a, off, 4, original);
                if (mask == 0) {
                    continue;
                }
                if ((mask & 1) != 0) {
                    long size = (~(mask & 0xFFFF_FFFC) + 1) & 0xFFFF;
                    if (size != 0) {
                        sized.add(new Sized(i, PciBar.Kind.IO, size, false));
                    }
                } else {
                    boolean is64 = ((mask >> 1) & 3) == 2;
                    boolean prefetch = (mask & 8) != 0;
                    long m = mask & 0xFFFF_FFF0L;
                    if (is64 && i < 5) {
                        int hiOff = off + 4;
                        int hiOriginal = config.read(a, hiOff, 4);
                        config.write(a, hiOff, 4, 0xFFFF_FFFF);
                        long hi = config.read(a, hiOff, 4) & 0xFFFF_FFFFL;
                        config.write(a, hiOff, 4, hiOriginal);
                        m |= hi << 32;
                    } else {
                        m |= 0xFFFF_FFFF_0000_0000L;
                    }
                    long size = ~m + 1;
                    if (size > 0) {
                        sized.add(new Sized(i, is64 ? PciBar.Kind.MEMORY64 : PciBar.Kind.MEMORY32, size, prefetch));
                    }
                    if (is64) {
                        i++;
                    }
                }
            }
            int romOriginal = config.read(a, PCI_ROM_ADDRESS, 4);
            config.write(a, PCI_ROM_ADDRESS, 4, 0xFFFF_F800);
            int romMask = config.read(a, PCI_ROM_ADDRESS, 4) & 0xFFFF_F800;
            config.write(a, PCI_ROM_ADDRESS, 4, romOriginal);
            if (romMask != 0) {
                sized.add(new Sized(6, PciBar.Kind.ROM, (~romMask + 1) & 0xFFFF_FFFFL, false));
            }
        }
        List<PciBar> placed = new ArrayList<>();
        sized.sort(Comparator.comparingLong(Sized::size).reversed());
        for (Sized s : sized) {
            ResourceWindow w = s.kind() == PciBar.Kind.IO ? ioWindow : mmioWindow;
            long base = w.allocate(s.size(), s.kind() == PciBar.Kind.IO ? 4 : 16);
            if (base < 0) {
                LOG.error("{}: no room for BAR{} ({} bytes) in {}; it stays unassigned", a, s.index(), s.size(), w);
                continue;
            }
            int off = s.kind() == PciBar.Kind.ROM ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * s.index();
            int low = config.read(a, off, 4);
            if (s.kind() == PciBar.Kind.IO) {
                config.write(a, off, 4, (int) base | (low & 0x3));
            } else if (s.kind() == PciBar.Kind.ROM) {
                config.write(a, off, 4, (int) base); // placed but left disabled, as firmware does
            } else {
                config.write(a, off, 4, (int) base | (low & 0xF));
                if (s.kind() == PciBar.Kind.MEMORY64) {
                    config.write(a, off + 4, 4, (int) (base >>> 32));
                }
            }
            placed.add(new PciBar(s.index(), s.kind(), base, s.size(), s.prefetchable()));
        }
        placed.sort(Comparator.comparingInt(PciBar::index));
        int pin = config.read(a, PCI_INTERRUPT_PIN, 1);
        int irq = irqFor(a, pin);
        if (irq >= 0) {
            config.write(a, PCI_INTERRUPT_LINE, 1, irq);
        }
        // As PC firmware: I/O and memory decode and SERR# on for every function, bus mastering
        // left to the driver.
        config.write(a, PCI_COMMAND, 2, (command & ~0x7) | 0x3 | PCI_COMMAND_SERR);
        return placed;
    }

    /** Gives back the windows of a function that left the bus. */
    void release(List<PciBar> bars) {
        for (PciBar b : bars) {
            (b.kind() == PciBar.Kind.IO ? ioWindow : mmioWindow).free(b.address());
        }
    }
}
