package org.alosj.hw.ata.impl;

import org.alosj.hal.storage.DiskImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.alosj.hal.board.Board;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PIIX3 IDE function at 00:01.1, present on every machine as on QEMU's i440FX board, and
 * the disks on its cables. Configured by PID {@value #PID}: {@code drive.N.file} (a raw image),
 * {@code drive.N.readonly} ({@code true}/{@code on}), optionally {@code drive.N.model} and
 * {@code drive.N.serial}, for N = 0 primary master, 1 primary slave, 2 secondary master,
 * 3 secondary slave ({@code -drive file=PATH,index=N}). A changed configuration replugs the
 * function with the new disks.
 */
@Component(configurationPid = AtaComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {}, immediate = true)
public final class AtaComponent {
    public static final String PID = "org.alosj.hw.ata";
    static final int SLOT = 1;
    static final int FUNCTION = 1;
    static final String FIRMWARE = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger("hw.ata");

    private final Board board;
    private final Piix3Ide ide;
    private final List<DiskImage> images = new ArrayList<>();

    @Activate
    public AtaComponent(Map<String, Object> properties, @Reference(name = "board") Board board) {
        this.board = board;
        this.ide = new Piix3Ide("ide", board.ioPorts(), board.isaIrq(Piix3Ide.ISA_IRQ[0]),
                board.isaIrq(Piix3Ide.ISA_IRQ[1]));
        for (int index = 0; index < 4; index++) {
            String prefix = "drive." + index + ".";
            Object file = properties.get(prefix + "file");
            if (file == null || file.toString().isBlank()) {
                continue;
            }
            boolean readOnly = isOn(properties.get(prefix + "readonly"));
            try {
                DiskImage image = DiskImage.open(Path.of(file.toString()), readOnly);
                images.add(image);
                String model = string(properties.get(prefix + "model"), "ALOSJ HARDDISK");
                String serial = string(properties.get(prefix + "serial"), String.format("AJ%05d", index + 1));
                ide.attachDrive(index >> 1, index & 1, new AtaDrive(image, index & 1, model, serial, FIRMWARE));
                LOG.info("ide: {} on the {} channel: {} ({} sectors{})", (index & 1) == 0 ? "master" : "slave",
                        index < 2 ? "primary" : "secondary", file, image.sectors(), readOnly ? ", read-only" : "");
            } catch (IOException e) {
                // The launcher checks files first; a configuration from elsewhere only loses the disk.
                LOG.error("ide: drive {} not attached: {}", index, e.getMessage());
            }
        }
        board.pci().plug(ide, SLOT, FUNCTION);
    }

    private static boolean isOn(Object v) {
        if (v == null) {
            return false;
        }
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("true") || s.equals("on") || s.equals("yes") || s.equals("1");
    }

    private static String string(Object v, String fallback) {
        return v == null || v.toString().isBlank() ? fallback : v.toString();
    }

    /** The function, for tests in this bundle. */
    Piix3Ide ide() {
        return ide;
    }

    @Deactivate
    public void deactivate() {
        board.pci().unplug(ide);
        for (DiskImage image : images) {
            try {
                image.close();
            } catch (IOException e) {
                LOG.warn("ide: closing {}: {}", image.path(), e.getMessage());
            }
        }
        LOG.info("ide: unplugged");
    }
}
