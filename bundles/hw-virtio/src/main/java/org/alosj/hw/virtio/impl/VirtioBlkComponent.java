package org.alosj.hw.virtio.impl;

import org.alosj.hal.storage.DiskImage;
import org.alosj.hal.pci.PciAddressProperty;
import java.io.IOException;
import java.nio.file.Path;
import org.alosj.hal.board.Board;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtio-blk function per factory configuration of PID {@value #PID}
 * ({@code -device virtio-blk-pci,drive=…} or {@code -drive file=…,if=virtio}): activation opens
 * the image and plugs the function into the board; deactivation unplugs it and closes the image.
 */
@Component(configurationPid = VirtioBlkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class VirtioBlkComponent {
    public static final String PID = "org.alosj.hw.virtio.blk";
    private static final Logger LOG = LoggerFactory.getLogger("hw.virtio");

    /** Configuration of a virtio-blk function. */
    public @interface Config {
        /** Name of the function (logs): {@code virtio-blk0}. */
        String name() default "virtio-blk0";

        /** The raw image. */
        String file();

        /** {@code true} for a read-only disk (VIRTIO_BLK_F_RO). */
        boolean readonly() default false;

        /** PCI slot, as {@link VirtioNetComponent.Config#addr()}; empty: first free. */
        String addr() default "";

        /** {@code transitional} (QEMU's default on PCI), {@code modern} or {@code legacy}. */
        String mode() default "transitional";

        /** What VIRTIO_BLK_T_GET_ID returns (up to 20 bytes). */
        String serial() default "";
    }

    private final Board board;
    private final VirtioBlk function;

    @Activate
    public VirtioBlkComponent(Config config, @Reference(name = "board") Board board) throws IOException {
        this(config.name(), config.file(), config.readonly(), config.addr(), config.mode(), config.serial(), board);
    }

    /** For tests that build a machine by hand (the launcher goes through Configuration Admin). */
    public VirtioBlkComponent(String name, String file, boolean readOnly, String addr, String mode, String serial,
                              Board board)
            throws IOException {
        this.board = board;
        VirtioPci.Mode m;
        int slot;
        try {
            VirtioNetComponent.checkName(name);
            m = VirtioNetComponent.parseMode(mode);
            slot = PciAddressProperty.parse(addr, "a virtio function");
            if (file == null || file.isBlank()) {
                throw new IllegalArgumentException("no file= for the disk image");
            }
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected: {}", name, e.getMessage());
            throw e;
        }
        DiskImage image;
        try {
            image = DiskImage.open(Path.of(file), readOnly);
        } catch (IOException e) {
            LOG.error("{}: {}", name, e.getMessage());
            throw e;
        }
        function = new VirtioBlk(name, board.memory(), m, image, serial == null ? "" : serial);
        int devfn;
        try {
            devfn = board.pci().plug(function, slot, 0);
        } catch (RuntimeException e) {
            LOG.error("{}: cannot plug into PCI slot {}: {}", name, slot < 0 ? "(first free)" : slot, e.getMessage());
            image.close();
            throw e;
        }
        LOG.info("{}: virtio-blk ({}) at 00:{} on {} ({} sectors{})", name, m.name().toLowerCase(java.util.Locale.ROOT),
                String.format("%02x.%d", devfn >> 3, devfn & 7), file, image.sectors(), readOnly ? ", read-only" : "");
    }

    /** The function, for tests in this bundle. */
    VirtioBlk function() {
        return function;
    }

    @Deactivate
    public void deactivate() {
        board.pci().unplug(function);
        try {
            function.image().close();
        } catch (IOException e) {
            LOG.warn("{}: closing {}: {}", function.name(), function.image().path(), e.getMessage());
        }
        LOG.info("{}: unplugged", function.name());
    }
}
