package org.alosj.kernel.impl.pci;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The fixed ISA-style resources of the PC that PCI functions in a legacy mode decode besides
 * their BARs (an IDE controller in compatibility mode: ports 0x1F0–0x1F7 and 0x3F6, IRQ 14).
 * Claims are exclusive: ISA ports have a single decoder and ISA IRQs are edge-triggered, so
 * they cannot be shared. The board's own devices (PICs, PIT, RTC, COM1, ELCR, configuration
 * mechanism, hot-plug block) and the PCI I/O window are never handed out.
 */
final class LegacyResources {
    /** Lowest port of the PCI I/O window BARs are placed in. */
    static final int PCI_IO_WINDOW = 0xC000;

    private record Range(int base, int length, String owner) {
        int end() {
            return base + length;
        }
    }

    private final TreeMap<Integer, Range> ports = new TreeMap<>();
    private final String[] irqOwners = new String[16];
    private final IntPredicate pciIrq;

    /** @param pciIrq the IRQs the PCI interrupt links are routed to (level-triggered, shared) */
    LegacyResources(IntPredicate pciIrq) {
        this.pciIrq = pciIrq;
        reservePorts(0x20, 2, "8259 master");
        reservePorts(0x40, 4, "8254 PIT");
        reservePorts(0x70, 2, "CMOS RTC");
        reservePorts(0xA0, 2, "8259 slave");
        reservePorts(0x3F8, 8, "COM1");
        reservePorts(0x4D0, 2, "ELCR");
        // 0xCF8-0xCFF but 0xCF9: byte cycles there reach the PIIX3's reset control register.
        reservePorts(0xCF8, 1, "PCI configuration mechanism #1");
        reservePorts(0xCFA, 6, "PCI configuration mechanism #1");
        reservePorts(0xAE00, 0x14, "PCI hot-plug controller");
        irqOwners[0] = "8254 PIT";
        irqOwners[2] = "8259 cascade";
        irqOwners[4] = "COM1";
        irqOwners[8] = "CMOS RTC";
        irqOwners[9] = "PCI hot-plug controller";
    }

    private void reservePorts(int base, int length, String owner) {
        ports.put(base, new Range(base, length, owner));
    }

    /** Claims {@code [base, base + length)} for {@code owner}. */
    synchronized void claimPorts(int base, int length, String owner) {
        if (length <= 0 || base < 0 || base + length > PCI_IO_WINDOW) {
            throw new IllegalArgumentException(String.format(
                    "legacy I/O range %#x+%d is outside the legacy port space [0, %#x)", base, length, PCI_IO_WINDOW));
        }
        Map.Entry<Integer, Range> below = ports.floorEntry(base + length - 1);
        if (below != null && below.getValue().end() > base) {
            Range r = below.getValue();
            throw new IllegalStateException(String.format("legacy I/O ports %#x-%#x are taken: %#x-%#x belong to %s",
                    base, base + length - 1, r.base(), r.end() - 1, r.owner()));
        }
        ports.put(base, new Range(base, length, owner));
    }

    /** Claims ISA IRQ {@code irq} for {@code owner}. */
    synchronized void claimIrq(int irq, String owner) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("ISA IRQ " + irq + " does not exist (0-15)");
        }
        if (irqOwners[irq] != null) {
            throw new IllegalStateException("ISA IRQ " + irq + " is taken by " + irqOwners[irq]);
        }
        if (pciIrq.test(irq)) {
            throw new IllegalStateException("ISA IRQ " + irq + " carries PCI interrupts (level-triggered, shared)");
        }
        irqOwners[irq] = owner;
    }

    synchronized void releaseIrq(int irq, String owner) {
        if (irq >= 0 && irq < 16 && owner.equals(irqOwners[irq])) {
            irqOwners[irq] = null;
        }
    }

    /** Releases the port range starting at {@code base} if {@code owner} holds it. */
    synchronized void releasePorts(int base, String owner) {
        Range r = ports.get(base);
        if (r != null && r.owner().equals(owner)) {
            ports.remove(base);
        }
    }

    /** Releases every port range and IRQ {@code owner} holds. */
    synchronized void releaseAll(String owner) {
        ports.values().removeIf(r -> r.owner().equals(owner));
        for (int i = 0; i < 16; i++) {
            if (owner.equals(irqOwners[i])) {
                irqOwners[i] = null;
            }
        }
    }

    /** Who holds port {@code port}, or null. */
    synchronized String portOwner(int port) {
        Map.Entry<Integer, Range> e = ports.floorEntry(port);
        return e != null && e.getValue().end() > port ? e.getValue().owner() : null;
    }

    synchronized String irqOwner(int irq) {
        return irq >= 0 && irq < 16 ? irqOwners[irq] : null;
    }
}
