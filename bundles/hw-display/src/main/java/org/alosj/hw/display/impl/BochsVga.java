package org.alosj.hw.display.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;

/**
 * The Bochs/QEMU display adapter, PCI 1234:1111, in QEMU's two personalities:
 *
 * <ul>
 *   <li>{@code -vga std} (QEMU's {@code VGA}, hw/display/vga-pci.c): class 0x0300, the VBE
 *       DISPI interface on ports 0x1CE/0x1CF with QEMU's register fix-ups ({@code
 *       vbe_fixup_regs}: bad depths become 8, widths round down to 8 pixels, heights clamp to
 *       what video memory holds, offsets reset when the picture would not fit), GETCAPS, the
 *       VGA DAC for 8-bit modes, and the BAR2 windows for the VGA ports (0x400) and DISPI (0x500);
 *   <li>{@code -device bochs-display} (hw/display/bochs-display.c): class 0x0380, DISPI only
 *       in BAR2 and kept as written (no fix-ups); a mode it cannot show (depth other than 16 or
 *       32, under 64×64 pixels, or past video memory) blanks the screen, as QEMU's does.
 * </ul>
 *
 * <p>Both: revision 2, subsystem 1af4:1100, BAR0 the prefetchable frame buffer (vgamem, 16 MiB
 * by default), BAR2 4 KiB of registers with QEMU's extended registers at 0x600 (size, frame
 * buffer byte order). The std VGA also shows the 80×25 colour text mode while DISPI is off, from
 * its text window at 0xB8000 and the CRT controller's start and cursor registers (see
 * {@link TextMode}); bochs-display shows 0×0 then. Not modelled: the EDID blob at BAR2 0x000,
 * the expansion ROM, planar and CGA graphics modes, and the rest of the legacy window
 * (0xA0000–0xB7FFF).
 *
 * <p>Video memory is plain device memory behind BAR0: the CPU and drivers write it at any
 * time; {@link Scanout} reads it to show the picture, and every write is reported as damage.
 */
public final class BochsVga extends PciFunction {
    public static final int PCI_VENDOR_ID_QEMU = 0x1234;
    public static final int PCI_DEVICE_ID_QEMU_VGA = 0x1111;
    public static final int PCI_CLASS_DISPLAY_VGA = 0x030000;
    public static final int PCI_CLASS_DISPLAY_OTHER = 0x038000;
    static final int REVISION = 2;
    static final int SUBSYSTEM_VENDOR = 0x1AF4;
    static final int SUBSYSTEM_ID = 0x1100;

    public static final int VBE_DISPI_IOPORT_INDEX = 0x1CE;
    public static final int VBE_DISPI_IOPORT_DATA = 0x1CF;

    public static final int VBE_DISPI_INDEX_ID = 0x0;
    public static final int VBE_DISPI_INDEX_XRES = 0x1;
    public static final int VBE_DISPI_INDEX_YRES = 0x2;
    public static final int VBE_DISPI_INDEX_BPP = 0x3;
    public static final int VBE_DISPI_INDEX_ENABLE = 0x4;
    public static final int VBE_DISPI_INDEX_BANK = 0x5;
    public static final int VBE_DISPI_INDEX_VIRT_WIDTH = 0x6;
    public static final int VBE_DISPI_INDEX_VIRT_HEIGHT = 0x7;
    public static final int VBE_DISPI_INDEX_X_OFFSET = 0x8;
    public static final int VBE_DISPI_INDEX_Y_OFFSET = 0x9;
    public static final int VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 0xA;
    static final int VBE_DISPI_INDEX_NB = 0xA;

    public static final int VBE_DISPI_ID0 = 0xB0C0;
    public static final int VBE_DISPI_ID5 = 0xB0C5;

    public static final int VBE_DISPI_ENABLED = 0x01;
    public static final int VBE_DISPI_GETCAPS = 0x02;
    public static final int VBE_DISPI_8BIT_DAC = 0x20;
    public static final int VBE_DISPI_LFB_ENABLED = 0x40;
    public static final int VBE_DISPI_NOCLEARMEM = 0x80;

    public static final int VBE_DISPI_MAX_XRES = 16000;
    public static final int VBE_DISPI_MAX_YRES = 12000;
    public static final int VBE_DISPI_MAX_BPP = 32;

    /** BAR2 layout (vga-pci.c). */
    public static final int PCI_VGA_MMIO_SIZE = 0x1000;
    public static final int PCI_VGA_IOPORT_OFFSET = 0x400;
    public static final int PCI_VGA_IOPORT_SIZE = 0x3E0 - 0x3C0;
    public static final int PCI_VGA_BOCHS_OFFSET = 0x500;
    public static final int PCI_VGA_BOCHS_SIZE = 0x0B * 2;
    public static final int PCI_VGA_QEXT_OFFSET = 0x600;
    public static final int PCI_VGA_QEXT_SIZE = 8;
    public static final int PCI_VGA_QEXT_REG_SIZE = 0;
    public static final int PCI_VGA_QEXT_REG_BYTEORDER = 4;
    public static final int PCI_VGA_QEXT_LITTLE_ENDIAN = 0x1E1E1E1E;
    public static final int PCI_VGA_QEXT_BIG_ENDIAN = 0xBEBEBEBE;

    /** VGA DAC ports (the only VGA registers modelled: 8-bit modes take their colours there). */
    static final int VGA_PEL_MSK = 0x3C6;
    static final int VGA_PEL_IR = 0x3C7;
    static final int VGA_PEL_IW = 0x3C8;
    static final int VGA_PEL_D = 0x3C9;

    private final boolean std;
    private final byte[] vram;
    private final int bankMask;
    private final int[] vbeRegs = new int[VBE_DISPI_INDEX_NB];
    private int vbeIndex;
    private int lineOffset;
    private int startAddress;
    private boolean bigEndianFb;
    /** DAC: 256 entries of red, green, blue (6 bits unless the 8-bit DAC is on). */
    private final byte[] palette = new byte[256 * 3];
    private int dacReadIndex;
    private int dacWriteIndex;
    private int dacSubIndex;
    private int pelMask = 0xFF;
    private final Scanout scanout;
    /** The std VGA's text mode (null for bochs-display, which has none). */
    private final TextMode text;

    /**
     * @param std {@code true} for {@code -vga std}, {@code false} for {@code -device bochs-display}
     * @param vgamemBytes video memory, a power of two from 4 to 256 MiB (QEMU's {@code vgamem})
     */
    public BochsVga(String name, String displayId, boolean std, int vgamemBytes) {
        super(name, PCI_VENDOR_ID_QEMU, PCI_DEVICE_ID_QEMU_VGA, REVISION,
                std ? PCI_CLASS_DISPLAY_VGA : PCI_CLASS_DISPLAY_OTHER, 0x00);
        if (Integer.bitCount(vgamemBytes) != 1 || vgamemBytes < (4 << 20) || vgamemBytes > (256 << 20)) {
            throw new IllegalArgumentException("video memory must be a power of two from 4 to 256 MiB, got "
                    + vgamemBytes + " bytes");
        }
        this.std = std;
        this.vram = new byte[vgamemBytes];
        this.bankMask = (vgamemBytes >> 16) - 1;
        setSubsystem(SUBSYSTEM_VENDOR, SUBSYSTEM_ID);
        defineMemoryBar(0, BarType.MEMORY32_PREFETCHABLE, vgamemBytes, new VideoMemory());
        defineMemoryBar(2, BarType.MEMORY32, PCI_VGA_MMIO_SIZE, new RegisterBlock());
        text = std ? new TextMode() : null;
        scanout = new Scanout(displayId, this);
        resetDevice();
    }

    public boolean isStdVga() {
        return std;
    }

    public int videoMemorySize() {
        return vram.length;
    }

    /** The picture this adapter shows (registered as the DisplaySurface service). */
    public Scanout scanout() {
        return scanout;
    }

    byte[] videoMemory() {
        return vram;
    }

    TextMode textMode() {
        return text;
    }

    /**
     * Decodes the legacy text window at 0xB8000 (std VGA only: what a PC's VGA answers there
     * after power-on, mode 3); none for bochs-display.
     */
    public List<Mapping> mapLegacyMemory(MemoryBus memory) {
        List<Mapping> mappings = new ArrayList<>();
        if (!std) {
            return mappings;
        }
        mappings.add(memory.mapMmio(TextMode.WINDOW_BASE, TextMode.WINDOW_SIZE, new MmioHandler() {
            @Override
            public long mmioRead(long offset, int size) {
                long v = 0;
                for (int i = 0; i < size && offset + i < TextMode.WINDOW_SIZE; i++) {
                    v |= (long) text.read((int) offset + i) << (8 * i);
                }
                return v;
            }

            @Override
            public void mmioWrite(long offset, int size, long value) {
                int n = 0;
                for (int i = 0; i < size && offset + i < TextMode.WINDOW_SIZE; i++, n++) {
                    text.write((int) offset + i, (int) (value >>> (8 * i)) & 0xFF);
                }
                scanout.textWritten((int) offset, n);
            }
        }, name() + " text"));
        return mappings;
    }

    @Override
    protected void resetDevice() {
        synchronized (this) {
            Arrays.fill(vbeRegs, 0);
            vbeRegs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
            if (text != null) {
                text.reset();
            }
            vbeIndex = 0;
            lineOffset = 0;
            startAddress = 0;
            bigEndianFb = false;
            Arrays.fill(palette, (byte) 0);
            dacReadIndex = 0;
            dacWriteIndex = 0;
            dacSubIndex = 0;
            pelMask = 0xFF;
        }
        updateScanout();
    }

    // ---- legacy ports (std VGA only) ----

    /** Decodes the fixed ports of the std VGA (DISPI 0x1CE/0x1CF, DAC 0x3C6–0x3C9); none for bochs-display. */
    public List<Mapping> mapLegacyPorts(IoPortSpace ports) {
        List<Mapping> mappings = new ArrayList<>();
        if (!std) {
            return mappings;
        }
        // The data port is a 16-bit port at 0x1CF, so the decode reaches 0x1D0 (its high byte).
        mappings.add(ports.map(VBE_DISPI_IOPORT_INDEX, 3, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return dispiPortRead(port, size);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                dispiPortWrite(port, size, value);
            }
        }, name() + " VBE"));
        try {
            mappings.add(ports.map(VGA_PEL_MSK, 4, new IoPortHandler() {
                @Override
                public int ioRead(int port, int size) {
                    int v = 0;
                    for (int i = 0; i < size; i++) {
                        v |= vgaPortRead(port + i) << (8 * i);
                    }
                    return v;
                }

                @Override
                public void ioWrite(int port, int size, int value) {
                    for (int i = 0; i < size; i++) {
                        vgaPortWrite(port + i, (value >>> (8 * i)) & 0xFF);
                    }
                }
            }, name() + " VGA DAC"));
            mappings.add(ports.map(TextMode.CRTC_INDEX, 2, new IoPortHandler() {
                @Override
                public int ioRead(int port, int size) {
                    int v = 0;
                    for (int i = 0; i < size; i++) {
                        v |= vgaPortRead(port + i) << (8 * i);
                    }
                    return v;
                }

                @Override
                public void ioWrite(int port, int size, int value) {
                    // A word write to 0x3D4 is the index then its data, as drivers write them.
                    for (int i = 0; i < size; i++) {
                        vgaPortWrite(port + i, (value >>> (8 * i)) & 0xFF);
                    }
                }
            }, name() + " VGA CRTC"));
        } catch (IllegalArgumentException e) {
            mappings.forEach(Mapping::close);
            throw e;
        }
        return mappings;
    }

    /** 0x1CE is the index, 0x1CF the data; a 16-bit access is the usual one. */
    private int dispiPortRead(int port, int size) {
        synchronized (this) {
            int v = port == VBE_DISPI_IOPORT_INDEX ? vbeIndex : dispiRead();
            if (port == VBE_DISPI_IOPORT_DATA + 1) {
                v >>>= 8;
            }
            return size == 1 ? v & 0xFF : v & 0xFFFF;
        }
    }

    private void dispiPortWrite(int port, int size, int value) {
        if (port == VBE_DISPI_IOPORT_INDEX) {
            synchronized (this) {
                vbeIndex = value & 0xFFFF;
            }
        } else if (port == VBE_DISPI_IOPORT_DATA) {
            dispiWrite(value & 0xFFFF);
        }
        // a lone byte at 0x1D0 (the data port's high half) is dropped
    }

    // ---- DISPI ----

    private boolean vbeEnabled() {
        return (vbeRegs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) != 0;
    }

    /** A read of the register {@link #vbeIndex} selects. */
    private int dispiRead() {
        int index = vbeIndex;
        if (!std) {
            // bochs-display: ID and memory size are constants, the rest reads back as written.
            if (index == VBE_DISPI_INDEX_ID) {
                return VBE_DISPI_ID5;
            }
            if (index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K) {
                return vram.length >> 16;
            }
            return index < VBE_DISPI_INDEX_NB ? vbeRegs[index] : 0xFFFF;
        }
        if (index < VBE_DISPI_INDEX_NB) {
            if ((vbeRegs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) != 0) {
                switch (index) {
                    case VBE_DISPI_INDEX_XRES:
                        return VBE_DISPI_MAX_XRES;
                    case VBE_DISPI_INDEX_YRES:
                        return VBE_DISPI_MAX_YRES;
                    case VBE_DISPI_INDEX_BPP:
                        return VBE_DISPI_MAX_BPP;
                    default:
                        return vbeRegs[index];
                }
            }
            return vbeRegs[index];
        }
        if (index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K) {
            return vram.length >> 16;
        }
        return 0;
    }

    /** A write to the register {@link #vbeIndex} selects. */
    private void dispiWrite(int value) {
        boolean clear = false;
        synchronized (this) {
            int index = vbeIndex;
            if (!std) {
                if (index < VBE_DISPI_INDEX_NB) {
                    vbeRegs[index] = value;
                }
            } else {
                switch (index) {
                    case VBE_DISPI_INDEX_ID:
                        if (value >= VBE_DISPI_ID0 && value <= VBE_DISPI_ID5) {
                            vbeRegs[index] = value;
                        }
                        break;
                    case VBE_DISPI_INDEX_XRES, VBE_DISPI_INDEX_YRES, VBE_DISPI_INDEX_BPP,
                            VBE_DISPI_INDEX_VIRT_WIDTH, VBE_DISPI_INDEX_X_OFFSET, VBE_DISPI_INDEX_Y_OFFSET:
                        vbeRegs[index] = value;
                        fixupRegisters();
                        break;
                    case VBE_DISPI_INDEX_BANK:
                        vbeRegs[index] = value & bankMask;
                        break;
                    case VBE_DISPI_INDEX_ENABLE:
                        if ((value & VBE_DISPI_ENABLED) != 0 && !vbeEnabled()) {
                            vbeRegs[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
                            vbeRegs[VBE_DISPI_INDEX_X_OFFSET] = 0;
                            vbeRegs[VBE_DISPI_INDEX_Y_OFFSET] = 0;
                            vbeRegs[VBE_DISPI_INDEX_ENABLE] |= VBE_DISPI_ENABLED;
                            fixupRegisters();
                            clear = (value & VBE_DISPI_NOCLEARMEM) == 0;
                        }
                        vbeRegs[index] = value;
                        break;
                    default:
                        // VIRT_HEIGHT is computed, VIDEO_MEMORY_64K read-only: writes are dropped.
                        break;
                }
            }
            if (clear) {
                // Enabling a mode clears the visible part of memory unless NOCLEARMEM says not to.
                Arrays.fill(vram, 0, Math.min(vram.length, vbeRegs[VBE_DISPI_INDEX_YRES] * lineOffset), (byte) 0);
            }
        }
        updateScanout();
    }

    /**
     * QEMU's {@code vbe_fixup_regs}: DISPI has no way to report an error, so the std VGA moves
     * every register to the nearest value it can show. Only while enabled.
     */
    private void fixupRegisters() {
        int[] r = vbeRegs;
        if (!vbeEnabled()) {
            return;
        }
        int bits;
        switch (r[VBE_DISPI_INDEX_BPP]) {
            case 4, 8, 16, 24, 32 -> bits = r[VBE_DISPI_INDEX_BPP];
            case 15 -> bits = 16;
            default -> bits = r[VBE_DISPI_INDEX_BPP] = 8;
        }
        r[VBE_DISPI_INDEX_XRES] &= ~7;
        if (r[VBE_DISPI_INDEX_XRES] == 0) {
            r[VBE_DISPI_INDEX_XRES] = 8;
        }
        r[VBE_DISPI_INDEX_XRES] = Math.min(r[VBE_DISPI_INDEX_XRES], VBE_DISPI_MAX_XRES);
        r[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7;
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = Math.min(r[VBE_DISPI_INDEX_VIRT_WIDTH], VBE_DISPI_MAX_XRES);
        if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES]) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
        }
        int lineLength = r[VBE_DISPI_INDEX_VIRT_WIDTH] * bits / 8;
        int maxY = vram.length / lineLength;
        if (r[VBE_DISPI_INDEX_YRES] == 0) {
            r[VBE_DISPI_INDEX_YRES] = 1;
        }
        r[VBE_DISPI_INDEX_YRES] = Math.min(Math.min(r[VBE_DISPI_INDEX_YRES], VBE_DISPI_MAX_YRES), maxY);
        r[VBE_DISPI_INDEX_X_OFFSET] = Math.min(r[VBE_DISPI_INDEX_X_OFFSET], VBE_DISPI_MAX_XRES);
        r[VBE_DISPI_INDEX_Y_OFFSET] = Math.min(r[VBE_DISPI_INDEX_Y_OFFSET], VBE_DISPI_MAX_YRES);
        long offset = (long) r[VBE_DISPI_INDEX_X_OFFSET] * bits / 8 + (long) r[VBE_DISPI_INDEX_Y_OFFSET] * lineLength;
        long size = (long) r[VBE_DISPI_INDEX_YRES] * lineLength;
        if (offset + size > vram.length) {
            r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
            offset = (long) r[VBE_DISPI_INDEX_X_OFFSET] * bits / 8;
            if (offset + size > vram.length) {
                r[VBE_DISPI_INDEX_X_OFFSET] = 0;
                offset = 0;
            }
        }
        r[VBE_DISPI_INDEX_VIRT_HEIGHT] = Math.min(maxY, 0xFFFF);
        lineOffset = lineLength;
        // QEMU keeps the start in 4-byte units (the CRTC's): a start inside a word rounds down.
        startAddress = (int) (offset & ~3L);
    }

    /** Works out what the screen shows from the registers and hands it to the scan-out. */
    private void updateScanout() {
        Scanout.Mode mode;
        synchronized (this) {
            mode = currentMode();
        }
        scanout.setMode(mode);
    }

    /** The mode shown now, or {@link Scanout.Mode#BLANK}. */
    private Scanout.Mode currentMode() {
        if (!vbeEnabled()) {
            return std ? Scanout.Mode.TEXT : Scanout.Mode.BLANK;
        }
        int[] r = vbeRegs;
        int width = r[VBE_DISPI_INDEX_XRES];
        int height = r[VBE_DISPI_INDEX_YRES];
        int bpp = r[VBE_DISPI_INDEX_BPP];
        if (std) {
            if (bpp == 4) {
                return Scanout.Mode.BLANK; // planar 16-colour modes are not modelled
            }
            return new Scanout.Mode(width, height, bpp, lineOffset, startAddress, bigEndianFb);
        }
        if (bpp != 16 && bpp != 32) {
            return Scanout.Mode.BLANK;
        }
        int bytes = bpp / 8;
        int virtWidth = Math.max(r[VBE_DISPI_INDEX_VIRT_WIDTH], width);
        long stride = (long) virtWidth * bytes;
        long offset = (long) r[VBE_DISPI_INDEX_X_OFFSET] * bytes + (long) r[VBE_DISPI_INDEX_Y_OFFSET] * stride;
        if (width < 64 || height < 64 || offset + stride * height > vram.length) {
            return Scanout.Mode.BLANK;
        }
        return new Scanout.Mode(width, height, bpp, (int) stride, (int) offset, bigEndianFb);
    }

    /** The colour of palette entry {@code index} as 0xRRGGBB, through the DAC. */
    synchronized int paletteColour(int index) {
        int i = (index & pelMask) * 3;
        boolean dac8 = (vbeRegs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) != 0;
        int red = palette[i] & 0xFF;
        int green = palette[i + 1] & 0xFF;
        int blue = palette[i + 2] & 0xFF;
        if (!dac8) {
            red = six2eight(red);
            green = six2eight(green);
            blue = six2eight(blue);
        }
        return red << 16 | green << 8 | blue;
    }

    private static int six2eight(int v) {
        v &= 0x3F;
        return v << 2 | v >> 4;
    }

    // ---- VGA ports: the DAC ----

    private int vgaPortRead(int port) {
        if (text != null && (port == TextMode.CRTC_INDEX || port == TextMode.CRTC_DATA)) {
            return text.crtcRead(port);
        }
        synchronized (this) {
            switch (port) {
                case VGA_PEL_MSK:
                    return pelMask;
                case VGA_PEL_IW:
                    return dacWriteIndex;
                case VGA_PEL_D: {
                    int v = palette[dacReadIndex * 3 + dacSubIndex] & 0xFF;
                    if (++dacSubIndex == 3) {
                        dacSubIndex = 0;
                        dacReadIndex = (dacReadIndex + 1) & 0xFF;
                    }
                    return v;
                }
                default:
                    return 0xFF; // the rest of the VGA register file is not modelled
            }
        }
    }

    private void vgaPortWrite(int port, int value) {
        if (text != null && (port == TextMode.CRTC_INDEX || port == TextMode.CRTC_DATA)) {
            int[] cursorBefore = text.cursorCell();
            int index = text.crtcRead(TextMode.CRTC_INDEX);
            if (text.crtcWrite(port, value)) {
                boolean cursorOnly = index == TextMode.CRTC_CURSOR_HIGH || index == TextMode.CRTC_CURSOR_LOW;
                scanout.textRedrawn(cursorOnly ? cursorBefore : null);
            }
            return;
        }
        boolean colours = false;
        synchronized (this) {
            switch (port) {
                case VGA_PEL_MSK -> {
                    pelMask = value;
                    colours = true;
                }
                case VGA_PEL_IR -> {
                    dacReadIndex = value;
                    dacSubIndex = 0;
                }
                case VGA_PEL_IW -> {
                    dacWriteIndex = value;
                    dacSubIndex = 0;
                }
                case VGA_PEL_D -> {
                    palette[dacWriteIndex * 3 + dacSubIndex] = (byte) value;
                    if (++dacSubIndex == 3) {
                        dacSubIndex = 0;
                        dacWriteIndex = (dacWriteIndex + 1) & 0xFF;
                    }
                    colours = true;
                }
                default -> {
                    // not modelled
                }
            }
        }
        if (colours) {
            scanout.paletteChanged();
        }
    }

    // ---- BAR0: video memory ----

    private final class VideoMemory implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            int at = (int) offset;
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (vram[at + i] & 0xFFL) << (8 * i);
            }
            return v;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            int at = (int) offset;
            for (int i = 0; i < size; i++) {
                vram[at + i] = (byte) (value >>> (8 * i));
            }
            scanout.written(at, size);
        }

        @Override
        public void mmioRead(long offset, byte[] dst, int dstOffset, int length) {
            System.arraycopy(vram, (int) offset, dst, dstOffset, length);
        }

        @Override
        public void mmioWrite(long offset, byte[] src, int srcOffset, int length) {
            System.arraycopy(src, srcOffset, vram, (int) offset, length);
            scanout.written((int) offset, length);
        }
    }

    // ---- BAR2: registers ----

    private final class RegisterBlock implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            int off = (int) offset;
            if (std && off >= PCI_VGA_IOPORT_OFFSET && off < PCI_VGA_IOPORT_OFFSET + PCI_VGA_IOPORT_SIZE) {
                // As vga-pci.c: ports 0x3C0 + offset, a wide access split into bytes, low byte first.
                int port = 0x3C0 + off - PCI_VGA_IOPORT_OFFSET;
                long v = 0;
                for (int i = 0; i < size && off + i < PCI_VGA_IOPORT_OFFSET + PCI_VGA_IOPORT_SIZE; i++) {
                    v |= (long) vgaPortRead(port + i) << (8 * i);
                }
                return v;
            }
            if (off >= PCI_VGA_BOCHS_OFFSET && off < PCI_VGA_BOCHS_OFFSET + PCI_VGA_BOCHS_SIZE) {
                return bochsRead(off - PCI_VGA_BOCHS_OFFSET, size);
            }
            if (off >= PCI_VGA_QEXT_OFFSET && off < PCI_VGA_QEXT_OFFSET + PCI_VGA_QEXT_SIZE) {
                if (size != 4) {
                    return allOnes(size); // the extended registers take 32-bit accesses only
                }
                synchronized (BochsVga.this) {
                    return switch (off - PCI_VGA_QEXT_OFFSET) {
                        case PCI_VGA_QEXT_REG_SIZE -> PCI_VGA_QEXT_SIZE;
                        case PCI_VGA_QEXT_REG_BYTEORDER -> (bigEndianFb ? PCI_VGA_QEXT_BIG_ENDIAN
                                : PCI_VGA_QEXT_LITTLE_ENDIAN) & 0xFFFF_FFFFL;
                        default -> 0;
                    };
                }
            }
            return allOnes(size); // unassigned parts of the window
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            int off = (int) offset;
            if (std && off >= PCI_VGA_IOPORT_OFFSET && off < PCI_VGA_IOPORT_OFFSET + PCI_VGA_IOPORT_SIZE) {
                int port = 0x3C0 + off - PCI_VGA_IOPORT_OFFSET;
                // Low byte first: an index and its data in one word write.
                for (int i = 0; i < size && off + i < PCI_VGA_IOPORT_OFFSET + PCI_VGA_IOPORT_SIZE; i++) {
                    vgaPortWrite(port + i, (int) (value >>> (8 * i)) & 0xFF);
                }
                return;
            }
            if (off >= PCI_VGA_BOCHS_OFFSET && off < PCI_VGA_BOCHS_OFFSET + PCI_VGA_BOCHS_SIZE) {
                bochsWrite(off - PCI_VGA_BOCHS_OFFSET, size, value);
                return;
            }
            if (off == PCI_VGA_QEXT_OFFSET + PCI_VGA_QEXT_REG_BYTEORDER && size == 4) {
                int v = (int) value;
                synchronized (BochsVga.this) {
                    if (v == PCI_VGA_QEXT_BIG_ENDIAN) {
                        bigEndianFb = true;
                    } else if (v == PCI_VGA_QEXT_LITTLE_ENDIAN) {
                        bigEndianFb = false;
                    }
                }
                updateScanout();
            }
        }

        /**
         * DISPI registers as 16-bit words at index × 2; the device takes word accesses, so a
         * byte access reads the word and picks its half, and a dword access is two words.
         */
        private long bochsRead(int off, int size) {
            if (size == 1) {
                return (wordRead(off >> 1) >>> (8 * (off & 1))) & 0xFF;
            }
            long v = wordRead(off >> 1);
            if (size >= 4) {
                v |= (long) wordRead((off >> 1) + 1) << 16;
            }
            if (size == 8) {
                v |= (long) wordRead((off >> 1) + 2) << 32 | (long) wordRead((off >> 1) + 3) << 48;
            }
            return v;
        }

        private void bochsWrite(int off, int size, long value) {
            if (size == 1) {
                wordWrite(off >> 1, (int) ((value & 0xFF) << (8 * (off & 1))));
                return;
            }
            int words = size == 2 ? 1 : size / 2;
            for (int i = 0; i < words; i++) {
                wordWrite((off >> 1) + i, (int) (value >>> (16 * i)) & 0xFFFF);
            }
        }

        private int wordRead(int index) {
            synchronized (BochsVga.this) {
                vbeIndex = index; // the window goes through the index register, as QEMU's does
                return dispiRead();
            }
        }

        private void wordWrite(int index, int value) {
            synchronized (BochsVga.this) {
                vbeIndex = index;
                dispiWrite(value);
            }
        }
    }

    private static long allOnes(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public String toString() {
        return (std ? "VGA" : "bochs-display") + " " + super.toString();
    }
}
