package org.alosj.kernel.impl.pci;

import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.pci.MessageInterrupts;
import org.alosj.kernel.pci.MmioRegion;
import org.alosj.kernel.pci.PciDevice;

/**
 * MSI and MSI-X setup for one function, done as a driver does it on a PC: find the capability in
 * config space, take CPU vectors, write the APIC message (address 0xFEE0_0000: APIC ID 0,
 * physical destination, no redirection hint; data: the vector, fixed delivery, edge) into the
 * MSI capability or each MSI-X table entry, unmask, enable. Register layouts are the PCI Local
 * Bus spec 3.0's, 6.8.1 (MSI) and 6.8.2 (MSI-X).
 */
final class MessageSignalling {
    static final int PCI_COMMAND = 0x04;
    static final int PCI_COMMAND_INTX_DISABLE = 0x400;
    static final int PCI_STATUS = 0x06;
    static final int PCI_STATUS_CAP_LIST = 0x10;
    static final int PCI_CAPABILITY_LIST = 0x34;
    static final int PCI_CAP_ID_MSI = 0x05;
    static final int PCI_CAP_ID_MSIX = 0x11;
    static final int PCI_MSI_FLAGS = 2;
    static final int PCI_MSI_FLAGS_ENABLE = 0x0001;
    static final int PCI_MSI_FLAGS_QSIZE = 0x0070;
    static final int PCI_MSI_FLAGS_64BIT = 0x0080;
    static final int PCI_MSI_FLAGS_MASKBIT = 0x0100;
    static final int PCI_MSI_ADDRESS_LO = 4;
    static final int PCI_MSI_ADDRESS_HI = 8;
    static final int PCI_MSI_DATA_32 = 8;
    static final int PCI_MSI_DATA_64 = 12;
    static final int PCI_MSI_MASK_32 = 12;
    static final int PCI_MSI_MASK_64 = 16;
    static final int PCI_MSIX_FLAGS = 2;
    static final int PCI_MSIX_FLAGS_QSIZE = 0x07FF;
    static final int PCI_MSIX_FLAGS_MASKALL = 0x4000;
    static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;
    static final int PCI_MSIX_TABLE = 4;
    static final int PCI_MSIX_BIR = 0x7;
    static final int PCI_MSIX_ENTRY_SIZE = 16;
    static final int PCI_MSIX_ENTRY_LOWER_ADDR = 0;
    static final int PCI_MSIX_ENTRY_UPPER_ADDR = 4;
    static final int PCI_MSIX_ENTRY_DATA = 8;
    static final int PCI_MSIX_ENTRY_VECTOR_CTRL = 12;
    static final int PCI_MSIX_ENTRY_CTRL_MASKBIT = 1;
    /** APIC ID 0, physical mode, no redirection hint. */
    static final int MSI_ADDRESS = 0xFEE0_0000;
    static final String MSI = "PCI-MSI";
    static final String MSIX = "PCI-MSI-X";

    private MessageSignalling() {
    }

    /** INTx off while a message is enabled, as Linux's pci_intx_for_msi does; on again after. */
    private static void setIntxDisabled(PciDevice dev, boolean disabled) {
        int command = dev.configRead16(PCI_COMMAND);
        dev.configWrite16(PCI_COMMAND, disabled ? command | PCI_COMMAND_INTX_DISABLE
                : command & ~PCI_COMMAND_INTX_DISABLE);
    }

    /** The config-space offset of capability {@code id}, or -1. */
    static int findCapability(PciDevice dev, int id) {
        if ((dev.configRead16(PCI_STATUS) & PCI_STATUS_CAP_LIST) == 0) {
            return -1;
        }
        int at = dev.configRead8(PCI_CAPABILITY_LIST) & ~3;
        // 48 hops at most, as Linux's PCI_FIND_CAP_TTL: a looping list ends.
        for (int ttl = 48; ttl > 0 && at >= 0x40; ttl--) {
            if (dev.configRead8(at) == id) {
                return at;
            }
            at = dev.configRead8(at + 1) & ~3;
        }
        return -1;
    }

    static boolean enabled(PciDevice dev) {
        int msi = findCapability(dev, PCI_CAP_ID_MSI);
        int msix = findCapability(dev, PCI_CAP_ID_MSIX);
        return msi >= 0 && (dev.configRead16(msi + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE) != 0
                || msix >= 0 && (dev.configRead16(msix + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE) != 0;
    }

    static MessageInterrupts enableMsi(PciDevice dev, Interrupts interrupts, String name,
                                       InterruptHandler handler, Runnable onClose) {
        int cap = findCapability(dev, PCI_CAP_ID_MSI);
        if (cap < 0) {
            throw new IllegalStateException(dev.address() + " has no MSI capability");
        }
        if (enabled(dev)) {
            throw new IllegalStateException(dev.address() + " already has MSI or MSI-X on");
        }
        InterruptRegistration r = interrupts.allocateVector(MSI, dev.address() + "/0", name, handler);
        int flags = dev.configRead16(cap + PCI_MSI_FLAGS);
        boolean is64 = (flags & PCI_MSI_FLAGS_64BIT) != 0;
        dev.configWrite32(cap + PCI_MSI_ADDRESS_LO, MSI_ADDRESS);
        if (is64) {
            dev.configWrite32(cap + PCI_MSI_ADDRESS_HI, 0);
        }
        dev.configWrite16(cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), r.irq());
        if ((flags & PCI_MSI_FLAGS_MASKBIT) != 0) {
            int mask = cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
            dev.configWrite32(mask, dev.configRead32(mask) & ~1);
        }
        // One message: Multiple Message Enable 0.
        dev.configWrite16(cap + PCI_MSI_FLAGS, flags & ~PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
        setIntxDisabled(dev, true);
        return new Enabled(MSI, List.of(r), () -> {
            if (dev.present()) {
                int f = dev.configRead16(cap + PCI_MSI_FLAGS);
                dev.configWrite16(cap + PCI_MSI_FLAGS, f & ~PCI_MSI_FLAGS_ENABLE);
                setIntxDisabled(dev, false);
            }
        }, onClose);
    }

    static MessageInterrupts enableMsix(PciDevice dev, Interrupts interrupts, String name,
                                        List<InterruptHandler> handlers, Runnable onClose) {
        int cap = findCapability(dev, PCI_CAP_ID_MSIX);
        if (cap < 0) {
            throw new IllegalStateException(dev.address() + " has no MSI-X capability");
        }
        int flags = dev.configRead16(cap + PCI_MSIX_FLAGS);
        int tableSize = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
        if (handlers.isEmpty() || handlers.size() > tableSize) {
            throw new IllegalArgumentException(dev.address() + ": " + handlers.size()
                    + " MSI-X vectors asked for, the table has 1-" + tableSize);
        }
        if (enabled(dev)) {
            throw new IllegalStateException(dev.address() + " already has MSI or MSI-X on");
        }
        int tableReg = dev.configRead32(cap + PCI_MSIX_TABLE);
        MmioRegion bar = dev.mmioRegion(tableReg & PCI_MSIX_BIR);
        long table = tableReg & ~PCI_MSIX_BIR & 0xFFFF_FFFFL;
        if (table + (long) tableSize * PCI_MSIX_ENTRY_SIZE > bar.length()) {
            throw new IllegalStateException(dev.address() + ": MSI-X table at " + table
                    + " overruns BAR " + (tableReg & PCI_MSIX_BIR));
        }
        List<InterruptRegistration> regs = new ArrayList<>();
        try {
            for (int i = 0; i < handlers.size(); i++) {
                regs.add(interrupts.allocateVector(MSIX, dev.address() + "/" + i,
                        handlers.size() == 1 ? name : name + "-" + i, handlers.get(i)));
            }
        } catch (RuntimeException e) {
            regs.forEach(InterruptRegistration::close);
            throw e;
        }
        // Enable with the function masked, so no entry fires half-written (Linux's msix_capability_init).
        dev.configWrite16(cap + PCI_MSIX_FLAGS, flags | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
        for (int i = 0; i < regs.size(); i++) {
            long e = table + (long) i * PCI_MSIX_ENTRY_SIZE;
            bar.write32(e + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDRESS);
            bar.write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
            bar.write32(e + PCI_MSIX_ENTRY_DATA, regs.get(i).irq());
            bar.write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL,
                    bar.read32(e + PCI_MSIX_ENTRY_VECTOR_CTRL) & ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
        }
        dev.configWrite16(cap + PCI_MSIX_FLAGS, (flags | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
        setIntxDisabled(dev, true);
        int used = regs.size();
        return new Enabled(MSIX, regs, () -> {
            if (!dev.present()) {
                return;
            }
            for (int i = 0; i < used; i++) {
                long e = table + (long) i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;
                bar.write32(e, bar.read32(e) | PCI_MSIX_ENTRY_CTRL_MASKBIT);
            }
            int f = dev.configRead16(cap + PCI_MSIX_FLAGS);
            dev.configWrite16(cap + PCI_MSIX_FLAGS, f & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
            setIntxDisabled(dev, false);
        }, onClose);
    }

    /** What a driver holds; closing turns the capability off first, then frees the vectors. */
    static final class Enabled implements MessageInterrupts {
        private final String kind;
        private final List<InterruptRegistration> regs;
        private final Runnable disable;
        private final Runnable onClose;
        private boolean closed;

        Enabled(String kind, List<InterruptRegistration> regs, Runnable disable, Runnable onClose) {
            this.kind = kind;
            this.regs = List.copyOf(regs);
            this.disable = disable;
            this.onClose = onClose;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public List<Integer> vectors() {
            return regs.stream().map(InterruptRegistration::irq).toList();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                disable.run();
            } finally {
                regs.forEach(InterruptRegistration::close);
                onClose.run();
            }
        }
    }
}
