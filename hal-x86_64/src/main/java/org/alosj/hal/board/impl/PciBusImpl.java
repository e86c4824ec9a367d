package org.alosj.hal.board.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.pci.PciBus;
import org.alosj.hal.pci.PciFunction;
import org.alosj.hal.pci.PciSlot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PCI bus 0 of the i440FX. Holds the functions by devfn, forwards configuration cycles, and wires
 * INTx: a function's pin is swizzled onto one of the four PIRQ links by its slot, as on the
 * PIIX3 board ({@code (pin - 1 + slot - 1) mod 4}), the links are wired-OR, and the PIIX3's
 * route registers take each link to an 8259 input.
 */
final class PciBusImpl implements PciBus {
    private static final Logger LOG = LoggerFactory.getLogger("hw.pci");

    /** Told of insertions and removals (the hot-plug controller). */
    interface HotplugListener {
        void plugged(int slot);

        void unplugged(int slot);

        /** Asks the OS to eject {@code slot}; completes when the slot was ejected. */
        CompletableFuture<Void> unplugRequested(int slot);
    }

    private final PciFunction[] functions = new PciFunction[256];
    private final IoPortSpace ioPorts;
    private final MemoryBus memory;
    private final Pic8259Pair pic;
    private final int[] pirqAssertCount = new int[4];
    private int[] pirqRoutes = {-1, -1, -1, -1};
    private final boolean[] irqLevels = new boolean[16];
    private HotplugListener hotplug;

    PciBusImpl(IoPortSpace ioPorts, MemoryBus memory, Pic8259Pair pic) {
        this.ioPorts = ioPorts;
        this.memory = memory;
        this.pic = pic;
    }

    void setHotplugListener(HotplugListener listener) {
        this.hotplug = listener;
    }

    private final class Slot implements PciSlot {
        final int devfn;
        final int pirq;
        boolean asserted;

        Slot(int devfn, int pin) {
            this.devfn = devfn;
            this.pirq = pin == 0 ? -1 : (pin - 1 + (devfn >> 3) - 1) & 3;
        }

        @Override
        public int devfn() {
            return devfn;
        }

        @Override
        public IoPortSpace ioPorts() {
            return ioPorts;
        }

        @Override
        public MemoryBus memory() {
            return memory;
        }

        @Override
        public void setIntx(boolean level) {
            synchronized (PciBusImpl.this) {
                if (pirq < 0 || level == asserted) {
                    return;
                }
                asserted = level;
                pirqAssertCount[pirq] += level ? 1 : -1;
                driveIrqs();
            }
        }
    }

    /** The PIIX3's route registers changed. */
    synchronized void setPirqRoutes(int[] routes) {
        pirqRoutes = routes.clone();
        driveIrqs();
    }

    private void driveIrqs() {
        boolean[] want = new boolean[16];
        for (int pirq = 0; pirq < 4; pirq++) {
            int irq = pirqRoutes[pirq];
            if (irq > 0 && irq != 2 && pirqAssertCount[pirq] > 0) {
                want[irq] = true;
            }
        }
        for (int irq = 0; irq < 16; irq++) {
            if (want[irq] != irqLevels[irq]) {
                irqLevels[irq] = want[irq];
                pic.setLine(irq, want[irq]);
            }
        }
    }

    @Override
    public int plug(PciFunction function, int slot, int functionNumber) {
        int devfn;
        synchronized (this) {
            if (functionNumber < 0 || functionNumber > 7) {
                throw new IllegalArgumentException("PCI function number " + functionNumber + " (0-7)");
            }
            if (slot < 0) {
                slot = -1;
                for (int s = 1; s < SLOTS; s++) {
                    if (functions[s << 3] == null) {
                        slot = s;
                        break;
                    }
                }
                if (slot < 0) {
                    throw new IllegalStateException("no free PCI slot for " + function.name());
                }
            } else if (slot >= SLOTS) {
                throw new IllegalArgumentException("PCI slot " + slot + " (0-31)");
            }
            devfn = slot << 3 | functionNumber;
            if (functions[devfn] != null) {
                throw new IllegalStateException(String.format("PCI slot %02x.%d is taken by %s",
                        slot, functionNumber, functions[devfn].name()));
            }
            function.attach(new Slot(devfn, function.configRead(PciFunction.PCI_INTERRUPT_PIN, 1)));
            functions[devfn] = function;
        }
        LOG.info("{} plugged at 00:{}", function, String.format("%02x.%d", devfn >> 3, devfn & 7));
        HotplugListener h = hotplug;
        if (h != null) {
            h.plugged(devfn >> 3);
        }
        return devfn;
    }

    @Override
    public void unplug(PciFunction function) {
        int devfn = -1;
        synchronized (this) {
            for (int i = 0; i < functions.length; i++) {
                if (functions[i] == function) {
                    devfn = i;
                    functions[i] = null;
                }
            }
        }
        if (devfn < 0) {
            return;
        }
        function.detach();
        LOG.info("{} unplugged from 00:{}", function, String.format("%02x.%d", devfn >> 3, devfn & 7));
        HotplugListener h = hotplug;
        if (h != null) {
            h.unplugged(devfn >> 3);
        }
    }

    @Override
    public CompletionStage<Void> requestUnplug(PciFunction function) {
        int devfn = -1;
        synchronized (this) {
            for (int i = 0; i < functions.length; i++) {
                if (functions[i] == function) {
                    devfn = i;
                }
            }
        }
        if (devfn < 0) {
            return CompletableFuture.completedFuture(null);
        }
        HotplugListener h = hotplug;
        if (h == null) {
            unplug(function);
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("{}: unplug requested at 00:{}", function, String.format("%02x.%d", devfn >> 3, devfn & 7));
        return h.unplugRequested(devfn >> 3);
    }

    /** Ejects every function of {@code slot}, as the OS asks through the hot-plug controller. */
    void eject(int slot) {
        for (int fn = 7; fn >= 0; fn--) {
            PciFunction f;
            synchronized (this) {
                f = functions[slot << 3 | fn];
            }
            if (f != null) {
                unplug(f);
            }
        }
    }

    @Override
    public synchronized List<PciFunction> functions() {
        List<PciFunction> list = new ArrayList<>();
        for (PciFunction f : functions) {
            if (f != null) {
                list.add(f);
            }
        }
        return list;
    }

    private PciFunction function(int devfn) {
        PciFunction f;
        PciFunction f0;
        synchronized (this) {
            f = functions[devfn];
            f0 = functions[devfn & ~7];
        }
        // A function other than 0 is only seen when function 0 says it is multi-function. Its
        // header is read outside the bus lock: a model holds its own lock when it raises INTx,
        // which takes the bus lock, so the opposite order here could deadlock.
        if (f != null && (devfn & 7) != 0
                && (f0 == null || (f0.configRead(PciFunction.PCI_HEADER_TYPE, 1) & 0x80) == 0)) {
            return null;
        }
        return f;
    }

    int configRead(int devfn, int offset, int size) {
        PciFunction f = function(devfn);
        if (f == null) {
            return size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        return f.configRead(offset, size);
    }

    void configWrite(int devfn, int offset, int size, int value) {
        PciFunction f = function(devfn);
        if (f != null) {
            f.configWrite(offset, size, value);
        }
    }

    void resetAll() {
        for (PciFunction f : functions()) {
            f.reset();
        }
    }
}
