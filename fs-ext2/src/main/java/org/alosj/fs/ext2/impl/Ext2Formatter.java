package org.alosj.fs.ext2.impl;

import java.io.IOException;
import org.alosj.fs.ext2.Mkfs;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.FileSystemFormatter;
import org.alosj.kernel.fs.FileSystemType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * ext2's mkfs as a service beside the "ext2" type, so {@code mkfs.ext2} in the shell reaches it
 * by the type's name: mke2fs's defaults ({@link Mkfs.Options#defaults()}) with the label asked for.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = FileSystemFormatter.class, property = FileSystemType.TYPE + "=" + Ext2FileSystemType.NAME)
public final class Ext2Formatter implements FileSystemFormatter {
    private final Mkfs mkfs;

    public Ext2Formatter() {
        this(new Mkfs());
    }

    Ext2Formatter(Mkfs mkfs) {
        this.mkfs = mkfs;
    }

    @Override
    public String name() {
        return Ext2FileSystemType.NAME;
    }

    @Override
    public String format(BlockDevice device, String label) throws IOException {
        return mkfs.format(device, Mkfs.Options.defaults().withLabel(label)).toString();
    }
}
