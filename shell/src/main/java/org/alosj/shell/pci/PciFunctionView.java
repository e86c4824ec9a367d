package org.alosj.shell.pci;

import java.util.List;
import java.util.Objects;
import org.alosj.kernel.pci.PciAddress;

/**
 * What lspci knows of one function: its address, its 256 bytes of configuration space, the
 * driver bound to it ({@code null} if none), the drivers that could drive it (Linux's "Kernel
 * modules") and, where the OS knows them, the BAR sizes ({@code sizes[0..5]} for BAR 0-5,
 * {@code sizes[6]} for the expansion ROM; 0 where unknown), as Linux takes them from sysfs.
 */
public record PciFunctionView(PciAddress address, byte[] config, String driver, List<String> modules, long[] sizes) {
    public static final int CONFIG_SIZE = 256;
    public static final int ROM = 6;

    public PciFunctionView {
        Objects.requireNonNull(address, "address");
        if (config.length != CONFIG_SIZE) {
            throw new IllegalArgumentException("config space is " + config.length + " bytes, expected 256");
        }
        modules = modules == null ? List.of() : List.copyOf(modules);
        sizes = sizes == null ? new long[7] : sizes.clone();
        if (sizes.length != 7) {
            throw new IllegalArgumentException("sizes has " + sizes.length + " entries, expected 7 (6 BARs + ROM)");
        }
        config = config.clone();
    }

    /** A function as a dump shows it: no driver, no sizes. */
    public static PciFunctionView of(PciAddress address, byte[] config) {
        return new PciFunctionView(address, config, null, List.of(), null);
    }

    public int u8(int offset) {
        return config[offset] & 0xff;
    }

    public int u16(int offset) {
        return u8(offset) | u8(offset + 1) << 8;
    }

    public long u32(int offset) {
        return (u16(offset) | (long) u16(offset + 2) << 16) & 0xffffffffL;
    }

    public int vendorId() {
        return u16(0x00);
    }

    public int deviceId() {
        return u16(0x02);
    }

    /** Base class and subclass, as lspci shows it ({@code 0200}). */
    public int deviceClass() {
        return u16(0x0a);
    }

    public int progIf() {
        return u8(0x09);
    }

    public int revision() {
        return u8(0x08);
    }

    public int headerType() {
        return u8(0x0e) & 0x7f;
    }
}
