package org.alosj.hal.pci;

import java.util.Arrays;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.bus.PhysicalMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PCI function as hardware presents it: a 256-byte type-0 configuration space with per-bit
 * write masks and write-one-to-clear status bits, BARs sized by the write-all-ones protocol and
 * decoded only while the command register enables them, an expansion ROM BAR, a capability list,
 * INTx (masked by the command register's INTx-disable bit, reflected in status bit 3) and
 * bus-master DMA that is refused while bus mastering is off.
 *
 * <p>A model subclasses this, declares its header in the constructor and its BARs with
 * {@link #defineIoBar}/{@link #defineMemoryBar}, and implements {@link #resetDevice()}. Handlers
 * of BAR-decoded ranges receive offsets into the BAR, so the model never needs to know where
 * the OS placed it.
 */
public abstract class PciFunction {
    public static final int CONFIG_SIZE = 256;

    public static final int PCI_VENDOR_ID = 0x00;
    public static final int PCI_DEVICE_ID = 0x02;
    public static final int PCI_COMMAND = 0x04;
    public static final int PCI_STATUS = 0x06;
    public static final int PCI_REVISION_ID = 0x08;
    public static final int PCI_CLASS_PROG = 0x09;
    public static final int PCI_CLASS_DEVICE = 0x0A;
    public static final int PCI_CACHE_LINE_SIZE = 0x0C;
    public static final int PCI_LATENCY_TIMER = 0x0D;
    public static final int PCI_HEADER_TYPE = 0x0E;
    public static final int PCI_BASE_ADDRESS_0 = 0x10;
    public static final int PCI_SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int PCI_SUBSYSTEM_ID = 0x2E;
    public static final int PCI_ROM_ADDRESS = 0x30;
    public static final int PCI_CAPABILITY_LIST = 0x34;
    public static final int PCI_INTERRUPT_LINE = 0x3C;
    public static final int PCI_INTERRUPT_PIN = 0x3D;
    public static final int PCI_MIN_GNT = 0x3E;
    public static final int PCI_MAX_LAT = 0x3F;

    public static final int PCI_COMMAND_IO = 0x1;
    public static final int PCI_COMMAND_MEMORY = 0x2;
    public static final int PCI_COMMAND_MASTER = 0x4;
    public static final int PCI_COMMAND_PARITY = 0x40;
    public static final int PCI_COMMAND_SERR = 0x100;
    public static final int PCI_COMMAND_INTX_DISABLE = 0x400;

    public static final int PCI_STATUS_INTERRUPT = 0x08;
    public static final int PCI_STATUS_CAP_LIST = 0x10;
    public static final int PCI_STATUS_FAST_BACK = 0x80;
    public static final int PCI_STATUS_DEVSEL_MEDIUM = 0x200;
    /** Error bits software clears by writing ones. */
    public static final int PCI_STATUS_W1C = 0xF900;

    public static final int PCI_ROM_ADDRESS_ENABLE = 0x1;

    private static final int NO_BAR = 6;

    protected final Logger log;
    private final String name;
    private final byte[] config = new byte[CONFIG_SIZE];
    private final byte[] writeMask = new byte[CONFIG_SIZE];
    private final byte[] clearMask = new byte[CONFIG_SIZE];
    private byte[] powerOnConfig;
    private final Bar[] bars = new Bar[NO_BAR];
    private long romSize;
    private byte[] romImage = new byte[0];
    private Mapping romMapping;
    private int lastCapability;
    private volatile PciSlot slot;
    private boolean intxLevel;
    private final GatedDma dma = new GatedDma();
    private long dmaRefusals;

    private static final class Bar {
        final BarType type;
        final long size;
        final Object handler;
        Mapping mapping;

        Bar(BarType type, long size, Object handler) {
            this.type = type;
            this.size = size;
            this.handler = handler;
        }
    }

    /**
     * @param classCode base class, subclass and programming interface as one 24-bit value
     *     ({@code 0x020000} for an Ethernet controller)
     */
    protected PciFunction(String name, int vendorId, int deviceId, int revision, int classCode,
                          int headerType) {
        this.name = name;
        this.log = LoggerFactory.getLogger("hw." + name);
        setWord(PCI_VENDOR_ID, vendorId);
        setWord(PCI_DEVICE_ID, deviceId);
        config[PCI_REVISION_ID] = (byte) revision;
        config[PCI_CLASS_PROG] = (byte) classCode;
        setWord(PCI_CLASS_DEVICE, classCode >>> 8);
        config[PCI_HEADER_TYPE] = (byte) headerType;
        setWriteMask(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER
                | PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
        clearMask[PCI_STATUS] = (byte) PCI_STATUS_W1C;
        clearMask[PCI_STATUS + 1] = (byte) (PCI_STATUS_W1C >>> 8);
        setWriteMask(PCI_CACHE_LINE_SIZE, 1, 0xFF);
        setWriteMask(PCI_INTERRUPT_LINE, 1, 0xFF);
    }

    /** A short name for logs and for the board ({@code pcnet0}). */
    public final String name() {
        return name;
    }

    // ---- header declaration, for constructors ----

    protected final void setSubsystem(int vendorId, int subsystemId) {
        setWord(PCI_SUBSYSTEM_VENDOR_ID, vendorId);
        setWord(PCI_SUBSYSTEM_ID, subsystemId);
    }

    /** {@code pin} 1 for INTA# … 4 for INTD#, 0 for none. */
    protected final void setInterruptPin(int pin) {
        config[PCI_INTERRUPT_PIN] = (byte) pin;
    }

    protected final void setStatus(int bits) {
        setWord(PCI_STATUS, getWord(PCI_STATUS) | bits);
    }

    /** Sets the raw power-on value of a read-only register (min-gnt, max-lat, …). */
    protected final void setConfigByte(int offset, int value) {
        config[offset] = (byte) value;
    }

    protected final void setConfigWord(int offset, int value) {
        setWord(offset, value);
    }

    protected final void setConfigLong(int offset, int value) {
        setWord(offset, value & 0xFFFF);
        setWord(offset + 2, value >>> 16);
    }

    /** Makes bits writable by software ({@code size} bytes at {@code offset}). */
    protected final void setWriteMask(int offset, int size, int mask) {
        for (int i = 0; i < size; i++) {
            writeMask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    /** An I/O BAR of {@code size} bytes (a power of two, at least 4); the handler gets offsets. */
    protected final void defineIoBar(int index, int size, IoPortHandler handler) {
        defineBar(index, BarType.IO, size, handler);
    }

    /** A memory BAR of {@code size} bytes (a power of two, at least 16). */
    protected final void defineMemoryBar(int index, BarType type, long size, MmioHandler handler) {
        if (type.isIo()) {
            throw new IllegalArgumentException("use defineIoBar for I/O BARs");
        }
        defineBar(index, type, size, handler);
    }

    private void defineBar(int index, BarType type, long size, Object handler) {
        if (index < 0 || index >= NO_BAR || (type.is64() && index == NO_BAR - 1)) {
            throw new IllegalArgumentException("BAR index " + index + " for " + type);
        }
        if (Long.bitCount(size) != 1 || size < (type.isIo() ? 4 : 16)) {
            throw new IllegalArgumentException("BAR size must be a power of two, got " + size);
        }
        bars[index] = new Bar(type, size, handler);
        int off = PCI_BASE_ADDRESS_0 + 4 * index;
        if (type.isIo()) {
            setConfigLong(off, 0x1);
            setWriteMask(off, 4, (int) (~(size - 1) & 0xFFFF_FFFCL));
        } else {
            int low = (type.is64() ? 0x4 : 0) | (type.isPrefetchable() ? 0x8 : 0);
            setConfigLong(off, low);
            long mask = ~(size - 1) & ~0xFL;
            setWriteMask(off, 4, (int) mask);
            if (type.is64()) {
                setWriteMask(off + 4, 4, (int) (mask >>> 32));
            }
        }
    }

    /** An expansion ROM BAR of {@code size} bytes; {@code image} is what it reads (0xFF past it). */
    protected final void defineRom(int size, byte[] image) {
        if (Integer.bitCount(size) != 1 || size < 2048) {
            throw new IllegalArgumentException("ROM size must be a power of two of at least 2 KiB");
        }
        romSize = size;
        romImage = image.clone();
        setWriteMask(PCI_ROM_ADDRESS, 4, ~(size - 1) | PCI_ROM_ADDRESS_ENABLE);
    }

    /**
     * Appends a capability of {@code length} bytes at {@code offset} to the list, writing its ID
     * and linking it; returns {@code offset} so the caller can fill its body.
     */
    protected final int addCapability(int capabilityId, int offset, int length) {
        if (offset < 0x40 || offset + length > CONFIG_SIZE || (offset & 3) != 0) {
            throw new IllegalArgumentException("capability at " + offset + " length " + length);
        }
        config[offset] = (byte) capabilityId;
        config[offset + 1] = 0;
        if (lastCapability == 0) {
            config[PCI_CAPABILITY_LIST] = (byte) offset;
        } else {
            config[lastCapability + 1] = (byte) offset;
        }
        lastCapability = offset;
        setStatus(PCI_STATUS_CAP_LIST);
        return offset;
    }

    // ---- the bus side ----

    /** Called by the bus when the function is inserted. */
    public final synchronized void attach(PciSlot slot) {
        if (this.slot != null) {
            throw new IllegalStateException(name + " is already on a bus");
        }
        if (powerOnConfig == null) {
            powerOnConfig = config.clone();
        }
        this.slot = slot;
    }

    /** Called by the bus when the function is removed: its decoders go away, INTx drops. */
    public final synchronized void detach() {
        PciSlot s = slot;
        if (s == null) {
            return;
        }
        unmapAll();
        if (intxLevel) {
            s.setIntx(false);
        }
        slot = null;
        deviceDetached();
    }

    public final boolean attached() {
        return slot != null;
    }

    /** PCI reset (RST#): configuration back to power-on values, then the device's own reset. */
    public final synchronized void reset() {
        unmapAll();
        if (powerOnConfig != null) {
            System.arraycopy(powerOnConfig, 0, config, 0, CONFIG_SIZE);
        }
        setIntxLevel(false);
        resetDevice();
    }

    /** A configuration read of {@code size} (1, 2, 4) bytes, as the host bridge forwards it. */
    public final synchronized int configRead(int offset, int size) {
        checkAccess(offset, size);
        int v = 0;
        for (int i = 0; i < size; i++) {
            v |= (config[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    /** A configuration write; read-only bits keep their value, status error bits clear on one. */
    public final synchronized void configWrite(int offset, int size, int value) {
        checkAccess(offset, size);
        int oldCommand = getWord(PCI_COMMAND);
        int oldRom = configRead(PCI_ROM_ADDRESS, 4);
        long[] oldBars = barRegisters();
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b = (value >>> (8 * i)) & 0xFF;
            int wm = writeMask[at] & 0xFF;
            int cm = clearMask[at] & 0xFF;
            int cur = config[at] & 0xFF;
            cur = (cur & ~wm) | (b & wm);
            cur &= ~(b & cm);
            config[at] = (byte) cur;
        }
        int newCommand = getWord(PCI_COMMAND);
        if (!Arrays.equals(oldBars, barRegisters()) || newCommand != oldCommand
                || oldRom != configRead(PCI_ROM_ADDRESS, 4)) {
            remapAll();
        }
        if (((oldCommand ^ newCommand) & PCI_COMMAND_INTX_DISABLE) != 0) {
            driveIntx();
        }
        if (((oldCommand ^ newCommand) & PCI_COMMAND_MASTER) != 0) {
            busMasterChanged((newCommand & PCI_COMMAND_MASTER) != 0);
        }
        configWritten(offset, size, value);
    }

    private void checkAccess(int offset, int size) {
        if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > CONFIG_SIZE
                || (offset & (size - 1)) != 0) {
            throw new IllegalArgumentException("config access offset=" + offset + " size=" + size);
        }
    }

    // ---- what the model uses at run time ----

    /** Asserts or deasserts this function's INTx pin. */
    protected final synchronized void setIrq(boolean asserted) {
        setIntxLevel(asserted);
    }

    private void setIntxLevel(boolean asserted) {
        intxLevel = asserted;
        int status = getWord(PCI_STATUS);
        setWord(PCI_STATUS, asserted ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
        driveIntx();
    }

    private void driveIntx() {
        PciSlot s = slot;
        if (s != null) {
            s.setIntx(intxLevel && (getWord(PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) == 0);
        }
    }

    protected final boolean busMasterEnabled() {
        return (getWord(PCI_COMMAND) & PCI_COMMAND_MASTER) != 0;
    }

    /**
     * Guest physical memory as this function masters it. While bus mastering is off, reads see
     * all ones and writes are dropped, and each refusal is logged as a guest error.
     */
    protected final PhysicalMemory dma() {
        return dma;
    }

    /** How many DMA cycles were refused because bus mastering was off. */
    public final synchronized long dmaRefusals() {
        return dmaRefusals;
    }

    /** The device's own state back to power-on (registers, rings, timers). */
    protected abstract void resetDevice();

    /** Hook: the function left the bus (stop timers, release backends). */
    protected void deviceDetached() {
    }

    /** Hook: bus mastering was switched on or off. */
    protected void busMasterChanged(boolean enabled) {
    }

    /** Hook after a configuration write, for device-specific registers. */
    protected void configWritten(int offset, int size, int value) {
    }

    // ---- BAR decoding ----

    private long[] barRegisters() {
        long[] r = new long[NO_BAR];
        for (int i = 0; i < NO_BAR; i++) {
            r[i] = configRead(PCI_BASE_ADDRESS_0 + 4 * i, 4) & 0xFFFF_FFFFL;
        }
        return r;
    }

    /** Where BAR {@code index} decodes now, or -1 while it does not. */
    public final synchronized long barAddress(int index) {
        Bar bar = bars[index];
        return bar == null || bar.mapping == null ? -1 : bar.mapping.base();
    }

    private void unmapAll() {
        for (Bar bar : bars) {
            if (bar != null && bar.mapping != null) {
                bar.mapping.close();
                bar.mapping = null;
            }
        }
        if (romMapping != null) {
            romMapping.close();
            romMapping = null;
        }
    }

    private void remapAll() {
        PciSlot s = slot;
        unmapAll();
        if (s == null) {
            return;
        }
        int command = getWord(PCI_COMMAND);
        for (int i = 0; i < NO_BAR; i++) {
            Bar bar = bars[i];
            if (bar == null) {
                continue;
            }
            String owner = name + " BAR" + i;
            int off = PCI_BASE_ADDRESS_0 + 4 * i;
            if (bar.type.isIo()) {
                long base = configRead(off, 4) & 0xFFFF_FFFCL;
                if ((command & PCI_COMMAND_IO) != 0 && base != 0 && base + bar.size <= 0x10000) {
                    IoPortHandler h = (IoPortHandler) bar.handler;
                    int b = (int) base;
                    bar.mapping = tryMap(() -> s.ioPorts().map(b, (int) bar.size, new IoPortHandler() {
                        @Override
                        public int ioRead(int port, int size) {
                            return h.ioRead(port - b, size);
                        }

                        @Override
                        public void ioWrite(int port, int size, int value) {
                            h.ioWrite(port - b, size, value);
                        }
                    }, owner), "I/O", i, base);
                }
            } else {
                long base = configRead(off, 4) & 0xFFFF_FFF0L;
                if (bar.type.is64()) {
                    base |= (configRead(off + 4, 4) & 0xFFFF_FFFFL) << 32;
                }
                long limit = bar.type.is64() ? Long.MAX_VALUE : 1L << 32;
                if ((command & PCI_COMMAND_MEMORY) != 0 && base != 0 && base + bar.size <= limit
                        && base + bar.size > base) {
                    long b = base;
                    bar.mapping = tryMap(() -> s.memory().mapMmio(b, bar.size, (MmioHandler) bar.handler, owner),
                            "memory", i, base);
                }
            }
        }
        int rom = configRead(PCI_ROM_ADDRESS, 4);
        long romBase = rom & 0xFFFF_F800L;
        if (romSize > 0 && (command & PCI_COMMAND_MEMORY) != 0 && (rom & PCI_ROM_ADDRESS_ENABLE) != 0
                && romBase != 0 && romBase + romSize <= 1L << 32) {
            romMapping = tryMap(() -> s.memory().mapMmio(romBase, romSize, new RomDecoder(), name + " ROM"),
                    "ROM", 6, romBase);
        }
    }

    private interface MapAction {
        Mapping map();
    }

    private Mapping tryMap(MapAction action, String kind, int index, long base) {
        try {
            return action.map();
        } catch (IllegalArgumentException e) {
            // Two decoders claiming one address is a programming error of the OS, not of the
            // hardware: the BAR stays undecoded, as a conflicting device would lose the cycle.
            log.warn("guest error: {} {} BAR{} at {} not decoded: {}", name, kind, index,
                    String.format("%#x", base), e.getMessage());
            return null;
        }
    }

    private final class RomDecoder implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                long at = offset + i;
                int b = at < romImage.length ? romImage[(int) at] & 0xFF : 0xFF;
                v |= (long) b << (8 * i);
            }
            return v;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            // ROM: writes are ignored.
        }
    }

    private final class GatedDma implements PhysicalMemory {
        /** The bus to master, or null (and a logged refusal) when mastering is not allowed. */
        private PhysicalMemory bus(long address, long length) {
            PciSlot s = slot;
            if (s != null && busMasterEnabled()) {
                return s.memory();
            }
            synchronized (PciFunction.this) {
                if (dmaRefusals++ % 1000 == 0) {
                    log.warn("guest error: {} DMA of {} bytes at {} with bus mastering off (refused)",
                            name, length, String.format("%#x", address));
                }
            }
            return null;
        }

        @Override
        public long read(long address, int size) {
            PhysicalMemory bus = bus(address, size);
            if (bus == null) {
                return size == 8 ? -1L : (1L << (8 * size)) - 1;
            }
            return bus.read(address, size);
        }

        @Override
        public void write(long address, int size, long value) {
            PhysicalMemory bus = bus(address, size);
            if (bus != null) {
                bus.write(address, size, value);
            }
        }

        @Override
        public void read(long address, byte[] dst, int offset, int length) {
            PhysicalMemory bus = bus(address, length);
            if (bus == null) {
                Arrays.fill(dst, offset, offset + length, (byte) 0xFF);
                return;
            }
            bus.read(address, dst, offset, length);
        }

        @Override
        public void write(long address, byte[] src, int offset, int length) {
            PhysicalMemory bus = bus(address, length);
            if (bus != null) {
                bus.write(address, src, offset, length);
            }
        }
    }

    // ---- raw helpers ----

    private int getWord(int offset) {
        return (config[offset] & 0xFF) | (config[offset + 1] & 0xFF) << 8;
    }

    private void setWord(int offset, int value) {
        config[offset] = (byte) value;
        config[offset + 1] = (byte) (value >>> 8);
    }

    public final int vendorId() {
        return getWord(PCI_VENDOR_ID);
    }

    public final int deviceId() {
        return getWord(PCI_DEVICE_ID);
    }

    @Override
    public String toString() {
        return String.format("%s [%04x:%04x]", name, vendorId(), deviceId());
    }
}
