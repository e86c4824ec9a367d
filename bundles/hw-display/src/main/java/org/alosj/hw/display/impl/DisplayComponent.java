package org.alosj.hw.display.impl;

import org.alosj.hal.pci.PciAddressProperty;
import java.util.Hashtable;
import java.util.List;
import org.alosj.hal.board.Board;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.display.DisplaySurface;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One display adapter per factory configuration of PID {@value #PID} ({@code -vga std},
 * {@code -device bochs-display}): activation builds it, plugs it into the board, decodes the std
 * VGA's fixed ports and registers its picture as a {@link DisplaySurface} with
 * {@link DisplaySurface#DISPLAY_ID} = the configured id; deactivation undoes it all.
 */
@Component(configurationPid = DisplayComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class DisplayComponent {
    public static final String PID = "org.alosj.hw.display";
    static final String TYPE_STD = "std";
    static final String TYPE_BOCHS_DISPLAY = "bochs-display";
    private static final Logger LOG = LoggerFactory.getLogger("hw.display");

    /** Configuration of an adapter. */
    public @interface Config {
        /** {@code std} (QEMU's {@code -vga std}) or {@code bochs-display}. */
        String type() default TYPE_STD;

        /** Name of the PCI function (logs): {@code vga0}. */
        String name() default "vga0";

        /** The display's id for host-side viewers: {@code vga}, or {@code -device}'s {@code id=}. */
        String id() default "vga";

        /** PCI slot: decimal, {@code 0x2} or {@code 02.0}; empty: the first free one. */
        String addr() default "";

        /** Video memory in MiB (QEMU's vgamem_mb), a power of two from 4 to 256. */
        int vgamem_mb() default 16;
    }

    private final Board board;
    private final BochsVga adapter;
    private final List<Mapping> legacyPorts;
    private final ServiceRegistration<DisplaySurface> registration;

    @Activate
    public DisplayComponent(Config config, BundleContext context, @Reference(name = "board") Board board) {
        this(config.type(), config.name(), config.id(), config.addr(), config.vgamem_mb(), board, context);
    }

    DisplayComponent(String type, String name, String id, String addr, int vgamemMiB, Board board,
                     BundleContext context) {
        this.board = board;
        int slot;
        try {
            if (!TYPE_STD.equals(type) && !TYPE_BOCHS_DISPLAY.equals(type)) {
                throw new IllegalArgumentException("unknown display type '" + type + "': expected std or bochs-display");
            }
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalArgumentException("bad name '" + name + "': expected 1-32 characters of [A-Za-z0-9_.-]");
            }
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("a display needs an id");
            }
            if (vgamemMiB < 4 || vgamemMiB > 256 || Integer.bitCount(vgamemMiB) != 1) {
                throw new IllegalArgumentException("bad vgamem " + vgamemMiB + " MiB: expected a power of two from 4 to 256");
            }
            slot = PciAddressProperty.parse(addr, "the display adapter");
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected: {}", name, e.getMessage());
            throw e;
        }
        adapter = new BochsVga(name, id, TYPE_STD.equals(type), vgamemMiB << 20);
        int devfn;
        try {
            devfn = board.pci().plug(adapter, slot, 0);
        } catch (RuntimeException e) {
            LOG.error("{}: cannot plug into PCI slot {}: {}", name, slot < 0 ? "(first free)" : slot, e.getMessage());
            throw e;
        }
        List<Mapping> legacy = new java.util.ArrayList<>();
        try {
            legacy.addAll(adapter.mapLegacyPorts(board.ioPorts()));
            legacy.addAll(adapter.mapLegacyMemory(board.memory()));
            legacyPorts = legacy;
        } catch (RuntimeException e) {
            legacy.forEach(Mapping::close);
            board.pci().unplug(adapter);
            LOG.error("{}: cannot decode the VGA ports and text window: {}", name, e.getMessage());
            throw e;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DisplaySurface.DISPLAY_ID, id);
        props.put("display.type", type);
        props.put("display.slot", String.format("00:%02x.%d", devfn >> 3, devfn & 7));
        registration = context == null ? null
                : context.registerService(DisplaySurface.class, adapter.scanout(), props);
        LOG.info("{}: {} at 00:{} with {} MiB of video memory, display '{}'", name,
                TYPE_STD.equals(type) ? "VGA (std)" : "bochs-display", String.format("%02x.%d", devfn >> 3, devfn & 7),
                vgamemMiB, id);
    }

    BochsVga adapter() {
        return adapter;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework took it as the bundle stopped
            }
        }
        legacyPorts.forEach(Mapping::close);
        board.pci().unplug(adapter);
        LOG.info("{}: unplugged", adapter.name());
    }
}
