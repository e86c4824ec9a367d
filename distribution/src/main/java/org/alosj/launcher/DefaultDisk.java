package org.alosj.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The default disk: conf/ attaches {@code ${alos.run}/disk.img} as hda, and this puts a fresh
 * copy of the distribution's {@code images/disk.img} (an ext2 image the build makes from
 * {@code disk_structure/}) there before each boot, so every run starts from the same disk;
 * {@code --keep-disk} keeps the one the last run left.
 */
final class DefaultDisk {
    static final String IMAGE = "images/disk.img";
    static final String RUN_COPY = "disk.img";

    private DefaultDisk() {
    }

    static void prepare(MachineConfig config, Path home, Path run, boolean keep) throws UsageException {
        Path copy = run.resolve(RUN_COPY).toAbsolutePath();
        boolean used = false;
        for (Map.Entry<String, String> e : config.ata().properties().entrySet()) {
            if (e.getKey().matches("drive\\.\\d+\\.file") && Path.of(e.getValue()).toAbsolutePath().equals(copy)) {
                used = true;
            }
        }
        if (!used || (keep && Files.isRegularFile(copy))) {
            return;
        }
        Path image = home.resolve(IMAGE);
        if (!Files.isRegularFile(image)) {
            throw new UsageException("the default disk " + image + " is missing (rebuild the distribution, or use"
                    + " -drive or -nodefaults)");
        }
        try {
            Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UsageException("cannot copy the default disk to " + copy + ": " + e.getMessage());
        }
    }
}
