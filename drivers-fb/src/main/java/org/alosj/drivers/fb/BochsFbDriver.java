package org.alosj.drivers.fb;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.FramebufferMode;
import org.alosj.kernel.fb.PixelFormat;
import org.alosj.kernel.pci.MmioRegion;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bochs PCI driver (Linux's name for it) for the Bochs/QEMU display adapter, 1234:1111:
 * checks the DISPI interface, sets the configured mode (PID {@value #PID}: width, height, bpp;
 * 1024×768×32 by default), refuses a mode the adapter cannot show, and registers the frame
 * buffer as a {@link FramebufferDevice} ({@code fb0}, {@code fb1} …). Unbinding blanks the
 * adapter and takes the service away. A configuration change rebinds with the new mode.
 */
@Component(service = PciDriver.class, immediate = true, configurationPid = BochsFbDriver.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class BochsFbDriver implements PciDriver {
    public static final String PID = "org.alosj.drivers.fb";
    static final String NAME = "bochs";
    static final int PCI_VENDOR_ID_QEMU = 0x1234;
    static final int PCI_DEVICE_ID_QEMU_VGA = 0x1111;
    static final int PCI_CLASS_DISPLAY_OTHER = 0x038000;
    private static final Logger LOG = LoggerFactory.getLogger("drivers.fb");

    /** Configuration of the driver: the mode it sets. */
    public @interface Config {
        int width() default 1024;

        int height() default 768;

        /** 32, 24, 16 or 15 (bochs-display shows 32 and 16 only). */
        int bpp() default 32;
    }

    private final BundleContext context;
    private final int width;
    private final int height;
    private final int bpp;
    private final AtomicInteger nextIndex = new AtomicInteger();

    @Activate
    public BochsFbDriver(BundleContext context, Config config) {
        this(context, config.width(), config.height(), config.bpp());
    }

    BochsFbDriver(BundleContext context, int width, int height, int bpp) {
        this.context = context;
        this.width = width;
        this.height = height;
        this.bpp = bpp;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(PCI_VENDOR_ID_QEMU, PCI_DEVICE_ID_QEMU_VGA));
    }

    @Override
    public PciBinding probe(PciDevice device) {
        PciBar fbBar = device.bar(0).filter(b -> !b.isIo()).orElseThrow(
                () -> new IllegalStateException("no frame buffer in BAR0"));
        device.bar(2).filter(b -> !b.isIo()).orElseThrow(
                () -> new IllegalStateException("no register window in BAR2 (an old std VGA without MMIO is not supported)"));
        device.enable();
        MmioRegion registers = device.mmioRegion(2);
        Dispi dispi = new Dispi(registers);
        int id = dispi.read(Dispi.VBE_DISPI_INDEX_ID);
        if (id < Dispi.VBE_DISPI_ID0 || id > Dispi.VBE_DISPI_ID5) {
            throw new IllegalStateException(String.format("no VBE DISPI interface (ID register %#06x)", id));
        }
        boolean bochsDisplay = device.classCode() == PCI_CLASS_DISPLAY_OTHER;
        FramebufferMode mode = setMode(dispi, fbBar.size(), bochsDisplay);
        String name = "fb" + nextIndex.getAndIncrement();
        BochsFramebuffer fb = new BochsFramebuffer(name, device.mmioRegion(0), mode);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.SLOT, device.address().toString());
        props.put(DeviceProperties.DRIVER, NAME);
        props.put(DeviceProperties.MODEL, bochsDisplay ? "QEMU bochs-display" : "QEMU standard VGA");
        props.put(FramebufferDevice.WIDTH, mode.width());
        props.put(FramebufferDevice.HEIGHT, mode.height());
        props.put(FramebufferDevice.BPP, mode.bitsPerPixel());
        props.put("fb.name", name);
        ServiceRegistration<FramebufferDevice> registration;
        try {
            registration = context.registerService(FramebufferDevice.class, fb, props);
        } catch (RuntimeException e) {
            dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, 0);
            throw e;
        }
        LOG.info("{}: {} at {}, mode {} ({} KiB of video memory)", name, props.get(DeviceProperties.MODEL),
                device.address(), mode, fbBar.size() >> 10);
        return new Binding(fb, registration, dispi, device);
    }

    /**
     * Sets the configured mode as Linux's bochs driver does (blank, geometry, enable with the
     * linear frame buffer) and checks that the adapter took it: the std VGA silently moves a
     * mode it cannot show to the nearest one it can, so what reads back is the truth.
     */
    private FramebufferMode setMode(Dispi dispi, long videoMemory, boolean bochsDisplay) {
        PixelFormat format = switch (bpp) {
            case 32 -> PixelFormat.XRGB8888;
            case 24 -> PixelFormat.RGB888;
            case 16 -> PixelFormat.RGB565;
            case 15 -> PixelFormat.XRGB1555;
            default -> null;
        };
        if (format == null || (bochsDisplay && bpp != 32 && bpp != 16)) {
            throw new IllegalArgumentException("unsupported depth " + bpp + " bpp: expected "
                    + (bochsDisplay ? "32 or 16" : "32, 24, 16 or 15"));
        }
        dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, Dispi.VBE_DISPI_GETCAPS);
        int maxWidth = dispi.read(Dispi.VBE_DISPI_INDEX_XRES);
        int maxHeight = dispi.read(Dispi.VBE_DISPI_INDEX_YRES);
        dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, 0);
        if (bochsDisplay) {
            maxWidth = 0xFFFF; // bochs-display has no GETCAPS: its limits are memory and 16-bit registers
            maxHeight = 0xFFFF;
        }
        int bytes = (bpp + 7) / 8;
        long size = (long) width * height * (bpp == 15 ? 2 : bytes);
        int minimum = bochsDisplay ? 64 : 8;
        if (width < minimum || height < minimum || width > maxWidth || height > maxHeight
                || (!bochsDisplay && width % 8 != 0) || size > videoMemory) {
            throw new IllegalArgumentException(String.format("unsupported mode %dx%dx%d: the adapter shows %d to %dx%d%s"
                    + " within %d MiB of video memory", width, height, bpp, minimum, maxWidth, maxHeight,
                    bochsDisplay ? "" : " (widths a multiple of 8)", videoMemory >> 20));
        }
        if (dispi.hasExtendedRegisters()) {
            dispi.setLittleEndian();
        }
        dispi.write(Dispi.VBE_DISPI_INDEX_BPP, bpp);
        dispi.write(Dispi.VBE_DISPI_INDEX_XRES, width);
        dispi.write(Dispi.VBE_DISPI_INDEX_YRES, height);
        dispi.write(Dispi.VBE_DISPI_INDEX_BANK, 0);
        dispi.write(Dispi.VBE_DISPI_INDEX_VIRT_WIDTH, width);
        dispi.write(Dispi.VBE_DISPI_INDEX_VIRT_HEIGHT, height);
        dispi.write(Dispi.VBE_DISPI_INDEX_X_OFFSET, 0);
        dispi.write(Dispi.VBE_DISPI_INDEX_Y_OFFSET, 0);
        dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, Dispi.VBE_DISPI_ENABLED | Dispi.VBE_DISPI_LFB_ENABLED);
        int gotWidth = dispi.read(Dispi.VBE_DISPI_INDEX_XRES);
        int gotHeight = dispi.read(Dispi.VBE_DISPI_INDEX_YRES);
        int gotBpp = dispi.read(Dispi.VBE_DISPI_INDEX_BPP);
        if (gotWidth != width || gotHeight != height || gotBpp != bpp) {
            dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, 0);
            throw new IllegalArgumentException(String.format("unsupported mode %dx%dx%d: the adapter set %dx%dx%d",
                    width, height, bpp, gotWidth, gotHeight, gotBpp));
        }
        int virtualWidth = Math.max(dispi.read(Dispi.VBE_DISPI_INDEX_VIRT_WIDTH), width);
        int stride = virtualWidth * (bpp == 15 ? 2 : bytes);
        return new FramebufferMode(width, height, bpp, stride, format);
    }

    /** The hold on one adapter: clients lose the screen, the service goes, the adapter blanks. */
    private static final class Binding implements PciBinding {
        private final BochsFramebuffer fb;
        private final ServiceRegistration<FramebufferDevice> registration;
        private final Dispi dispi;
        private final PciDevice device;
        private final AtomicBoolean removed = new AtomicBoolean();

        Binding(BochsFramebuffer fb, ServiceRegistration<FramebufferDevice> registration, Dispi dispi, PciDevice device) {
            this.fb = fb;
            this.registration = registration;
            this.dispi = dispi;
            this.device = device;
        }

        @Override
        public void remove() {
            if (!removed.compareAndSet(false, true)) {
                return;
            }
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it as the bundle stopped
            }
            fb.close();
            if (device.present()) {
                dispi.write(Dispi.VBE_DISPI_INDEX_ENABLE, 0);
            }
            LOG.info("{}: released", fb.name());
        }
    }
}
