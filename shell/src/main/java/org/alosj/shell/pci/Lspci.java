package org.alosj.shell.pci;

import java.util.Comparator;
import java.util.List;

/**
 * lspci's output for a list of functions, byte for byte as pciutils' lspci prints it for the
 * same configuration space (its output is the specification; {@code LspciVsRealLspciTest}
 * holds the two side by side). Covers the terse line ({@code -n}, {@code -nn}), {@code -k},
 * {@code -v} for header type 0 (flags, BARs, expansion ROM, the capability list) and the hex
 * dumps ({@code -x}, {@code -xxx}, which {@code lspci -F} reads back).
 */
public final class Lspci {
    private static final int COMMAND = 0x04;
    private static final int STATUS = 0x06;
    private static final int CMD_IO = 0x1;
    private static final int CMD_MEMORY = 0x2;
    private static final int CMD_MASTER = 0x4;
    private static final int CMD_VGA_PALETTE = 0x20;
    private static final int CMD_WAIT = 0x80;
    private static final int CMD_FAST_BACK = 0x200;
    private static final int STATUS_CAP_LIST = 0x10;
    private static final int STATUS_66MHZ = 0x20;
    private static final int STATUS_UDF = 0x40;
    private static final int STATUS_DEVSEL_MASK = 0x600;

    private final PciIds ids;
    private final LspciOptions options;

    public Lspci(PciIds ids, LspciOptions options) {
        this.ids = ids;
        this.options = options;
    }

    /** Everything lspci prints for {@code functions} (filtered and in bus order). */
    public String format(List<PciFunctionView> functions) {
        StringBuilder out = new StringBuilder();
        functions.stream()
                .filter(options::selects)
                .sorted(Comparator.comparing(PciFunctionView::address))
                .forEach(f -> device(out, f));
        return out.toString();
    }

    private void device(StringBuilder out, PciFunctionView f) {
        terse(out, f);
        if (options.verbose() > 0) {
            verbose(out, f);
        }
        if (options.verbose() > 0 || options.kernel()) {
            if (f.driver() != null) {
                out.append("\tKernel driver in use: ").append(f.driver()).append('\n');
            }
            if (!f.modules().isEmpty()) {
                out.append("\tKernel modules: ").append(String.join(", ", f.modules())).append('\n');
            }
        }
        if (options.hex() > 0) {
            hexDump(out, f, options.hex() >= 3 ? 256 : 64);
        }
        if (options.verbose() > 0 || options.hex() > 0) {
            out.append('\n');
        }
    }

    // ---- the first line and the subsystem ----

    private void terse(StringBuilder out, PciFunctionView f) {
        out.append(f.address()).append(' ').append(className(f.deviceClass())).append(": ")
                .append(pairName(ids.vendor(f.vendorId()), ids.device(f.vendorId(), f.deviceId()),
                        f.vendorId(), f.deviceId()));
        if (f.revision() != 0) {
            out.append(String.format(" (rev %02x)", f.revision()));
        }
        if (options.verbose() > 0) {
            int progIf = f.progIf();
            String name = progIfName(f.deviceClass(), progIf);
            if (progIf != 0 || name != null) {
                out.append(String.format(" (prog-if %02x", progIf));
                if (name != null) {
                    out.append(" [").append(name).append(']');
                }
                out.append(')');
            }
        }
        out.append('\n');
        if (options.verbose() > 0 || options.kernel()) {
            int subOffset = f.headerType() == 2 ? 0x40 : 0x2c;
            if (f.headerType() == 0 || f.headerType() == 2) {
                int sv = f.u16(subOffset);
                int sd = f.u16(subOffset + 2);
                if (sv != 0 && sv != 0xffff) {
                    out.append("\tSubsystem: ").append(subsystemName(f, sv, sd)).append('\n');
                }
            }
        }
    }

    /** Class as lspci names it: the subclass's name, else the base class's with the number. */
    String className(int deviceClass) {
        if (options.numeric() == 1) {
            return String.format("%04x", deviceClass);
        }
        String sub = ids.subclassName(deviceClass >> 8, deviceClass & 0xff);
        String base = sub == null ? ids.className(deviceClass >> 8) : null;
        boolean mixed = options.numeric() >= 2;
        if (sub != null) {
            return mixed ? String.format("%s [%04x]", sub, deviceClass) : sub;
        }
        if (base != null) {
            return String.format("%s [%04x]", base, deviceClass);
        }
        return mixed ? String.format("Class [%04x]", deviceClass) : String.format("Class %04x", deviceClass);
    }

    /** A vendor/device (or subvendor/subdevice) pair in the -n, -nn or name style. */
    String pairName(String vendor, String device, int id1, int id2) {
        String num = String.format("%04x:%04x", id1, id2);
        if (options.numeric() == 1) {
            return num;
        }
        boolean mixed = options.numeric() >= 2;
        if (vendor != null && device != null) {
            return mixed ? vendor + " " + device + " [" + num + "]" : vendor + " " + device;
        }
        if (vendor == null) {
            return mixed ? "Device [" + num + "]" : "Device " + num;
        }
        return mixed ? vendor + " Device [" + num + "]" : vendor + String.format(" Device %04x", id2);
    }

    private String subsystemName(PciFunctionView f, int sv, int sd) {
        String name = ids.subsystem(f.vendorId(), f.deviceId(), sv, sd);
        if (name == null && sv == f.vendorId() && sd == f.deviceId()) {
            // A subsystem that repeats the device's own IDs takes the device's name.
            name = ids.device(f.vendorId(), f.deviceId());
        }
        return pairName(ids.vendor(sv), name, sv, sd);
    }

    private String progIfName(int deviceClass, int progIf) {
        String name = ids.progIfName(deviceClass >> 8, deviceClass & 0xff, progIf);
        if (name == null && deviceClass == 0x0101 && (progIf & 0x70) == 0) {
            // IDE: the interface byte is a bit set (bus master, per-channel native/programmable);
            // lspci spells the bits out when the database has no name for the combination.
            StringBuilder b = new StringBuilder();
            if ((progIf & 0x80) != 0) {
                b.append(" Master");
            }
            if ((progIf & 0x08) != 0) {
                b.append(" SecP");
            }
            if ((progIf & 0x04) != 0) {
                b.append(" SecO");
            }
            if ((progIf & 0x02) != 0) {
                b.append(" PriP");
            }
            if ((progIf & 0x01) != 0) {
                b.append(" PriO");
            }
            name = b.isEmpty() ? "" : b.substring(1);
        }
        return name;
    }

    // ---- -v ----

    private void verbose(StringBuilder out, PciFunctionView f) {
        int cmd = f.u16(COMMAND);
        int status = f.u16(STATUS);
        StringBuilder flags = new StringBuilder("\tFlags: ");
        if ((cmd & CMD_MASTER) != 0) {
            flags.append("bus master, ");
        }
        if ((cmd & CMD_VGA_PALETTE) != 0) {
            flags.append("VGA palette snoop, ");
        }
        if ((cmd & CMD_WAIT) != 0) {
            flags.append("stepping, ");
        }
        if ((cmd & CMD_FAST_BACK) != 0) {
            flags.append("fast Back2Back, ");
        }
        if ((status & STATUS_66MHZ) != 0) {
            flags.append("66MHz, ");
        }
        if ((status & STATUS_UDF) != 0) {
            flags.append("user-definable features, ");
        }
        flags.append(switch (status & STATUS_DEVSEL_MASK) {
            case 0x000 -> "fast";
            case 0x200 -> "medium";
            case 0x400 -> "slow";
            default -> "??";
        }).append(" devsel");
        if ((cmd & CMD_MASTER) != 0) {
            flags.append(", latency ").append(f.u8(0x0d));
        }
        int irq = f.u8(0x3c);
        if (irq != 0) {
            flags.append(", IRQ ").append(irq);
        }
        out.append(flags).append('\n');

        int type = f.headerType();
        int bars = type == 0 ? 6 : type == 1 ? 2 : 1;
        bases(out, f, cmd, bars);
        if (type == 0) {
            rom(out, f, cmd, 0x30);
        } else if (type == 1) {
            rom(out, f, cmd, 0x38);
        }
        if ((status & STATUS_CAP_LIST) != 0) {
            capabilities(out, f, type == 2 ? 0x14 : 0x34);
        }
    }

    private void bases(StringBuilder out, PciFunctionView f, int cmd, int count) {
        for (int i = 0; i < count; i++) {
            int offset = 0x10 + 4 * i;
            long flg = f.u32(offset);
            long len = f.sizes()[i];
            if (flg == 0xffffffffL) {
                flg = 0;
            }
            if (flg == 0 && len == 0) {
                continue;
            }
            out.append('\t');
            if ((flg & 1) != 0) {
                long a = flg & ~3L;
                out.append("I/O ports at ");
                if (a != 0 || (cmd & CMD_IO) != 0) {
                    out.append(String.format("%04x", a));
                } else {
                    out.append((flg & ~3L) != 0 ? "<ignored>" : "<unassigned>");
                }
                if ((cmd & CMD_IO) == 0) {
                    out.append(" [disabled]");
                }
            } else {
                int t = (int) (flg >> 1) & 3;
                // A 64-bit BAR takes its upper half from the next register, which lspci then
                // still lists on its own (a zero upper half is skipped as an empty BAR).
                long a = flg & ~0xfL;
                if (t == 2) {
                    a = i < count - 1 ? a | f.u32(0x10 + 4 * (i + 1)) << 32 : 0;
                }
                out.append("Memory at ");
                out.append(a != 0 ? String.format("%08x", a) : "<unassigned>");
                out.append(" (").append(switch (t) {
                    case 0 -> "32-bit";
                    case 1 -> "low-1M";
                    case 2 -> "64-bit";
                    default -> "type 3";
                }).append(", ").append((flg & 8) != 0 ? "" : "non-").append("prefetchable)");
                if ((cmd & CMD_MEMORY) == 0) {
                    out.append(" [disabled]");
                }
            }
            size(out, len);
            out.append('\n');
        }
    }

    private void rom(StringBuilder out, PciFunctionView f, int cmd, int offset) {
        long rom = f.u32(offset);
        long len = f.sizes()[PciFunctionView.ROM];
        if (rom == 0xffffffffL) {
            rom = 0;
        }
        if (rom == 0 && len == 0) {
            return;
        }
        out.append("\tExpansion ROM at ");
        long a = rom & ~0x7ffL;
        out.append(a != 0 ? String.format("%08x", a) : "<unassigned>");
        if ((rom & 1) == 0) {
            out.append(" [disabled]");
        } else if ((cmd & CMD_MEMORY) == 0) {
            out.append(" [disabled by cmd]");
        }
        size(out, len);
        out.append('\n');
    }

    /** {@code [size=32]}, {@code [size=4K]}: the largest unit that divides the size exactly. */
    static void size(StringBuilder out, long len) {
        if (len == 0) {
            return;
        }
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < units.length - 1 && len % 1024 == 0) {
            len /= 1024;
            u++;
        }
        out.append(" [size=").append(len).append(units[u]).append(']');
    }

    private void capabilities(StringBuilder out, PciFunctionView f, int pointer) {
        boolean[] seen = new boolean[256];
        int where = f.u8(pointer) & ~3;
        while (where != 0) {
            int id = f.u8(where);
            int next = f.u8(where + 1) & ~3;
            int cap = f.u16(where + 2);
            out.append(String.format("\tCapabilities: [%02x] ", where));
            if (seen[where]) {
                out.append("<chain looped>\n");
                return;
            }
            seen[where] = true;
            if (id == 0xff) {
                out.append("<chain broken>\n");
                return;
            }
            out.append(capability(f, where, id, cap)).append('\n');
            where = next;
        }
    }

    private String capability(PciFunctionView f, int where, int id, int cap) {
        return switch (id) {
            case 0x00 -> "Null";
            case 0x01 -> "Power Management version " + (cap & 7);
            case 0x02 -> String.format("AGP version %x.%x", cap >> 4 & 0xf, cap & 0xf);
            case 0x03 -> "Vital Product Data";
            case 0x04 -> String.format("Slot ID: %d slots, First%c, chassis %02x", cap & 0x1f, pm(cap & 0x20),
                    cap >> 8);
            case 0x05 -> String.format("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c", pm(cap & 1),
                    1 << (cap >> 4 & 7), 1 << (cap >> 1 & 7), pm(cap & 0x100), pm(cap & 0x80));
            case 0x06 -> "CompactPCI hot-swap <?>";
            case 0x07 -> f.headerType() == 1 ? "PCI-X bridge device" : "PCI-X non-bridge device";
            case 0x09 -> vendorSpecific(f, where);
            case 0x0a -> String.format("Debug port: BAR=%d offset=%04x", cap >> 13, cap & 0x1fff);
            case 0x0b -> "CompactPCI central resource control <?>";
            case 0x0c -> "Hot-plug capable";
            case 0x0d -> "Subsystem: " + subsystemName(f, f.u16(where + 4), f.u16(where + 6));
            case 0x0e -> "AGP3 <?>";
            case 0x0f -> "Secure device <?>";
            case 0x10 -> express(cap);
            case 0x11 -> String.format("MSI-X: Enable%c Count=%d Masked%c", pm(cap & 0x8000), (cap & 0x7ff) + 1,
                    pm(cap & 0x4000));
            case 0x12 -> String.format("SATA HBA v%d.%d", cap >> 4 & 0xf, cap & 0xf);
            case 0x13 -> "PCI Advanced Features";
            case 0x14 -> "Enhanced Allocation (EA): NumEntries=" + (cap & 0x3f);
            default -> String.format("Capability ID %#04x [%04x]", id, cap);
        };
    }

    private static String express(int flags) {
        int type = flags >> 4 & 0xf;
        char slot = pm(flags & 0x100);
        String kind = switch (type) {
            case 0 -> "Endpoint";
            case 1 -> "Legacy Endpoint";
            case 4 -> "Root Port (Slot" + slot + ")";
            case 5 -> "Upstream Port";
            case 6 -> "Downstream Port (Slot" + slot + ")";
            case 7 -> "PCI-Express to PCI/PCI-X Bridge";
            case 8 -> "PCI/PCI-X to PCI-Express Bridge (Slot" + slot + ")";
            case 9 -> "Root Complex Integrated Endpoint";
            case 10 -> "Root Complex Event Collector";
            default -> "Unknown type " + type;
        };
        return String.format("Express %s, MSI %02x", kind, flags >> 9 & 0x1f);
    }

    private static String vendorSpecific(PciFunctionView f, int where) {
        if (f.vendorId() == 0x1af4 && f.deviceId() >= 0x1000 && f.deviceId() <= 0x107f) {
            // virtio 1.x: the vendor capability's cfg_type says which register block it maps.
            String what = switch (f.u8(where + 3)) {
                case 1 -> "CommonCfg";
                case 2 -> "Notify";
                case 3 -> "ISR";
                case 4 -> "DeviceCfg";
                default -> "<unknown>";
            };
            return "Vendor Specific Information: VirtIO: " + what;
        }
        return String.format("Vendor Specific Information: Len=%02x <?>", f.u8(where + 2));
    }

    private static char pm(int bit) {
        return bit != 0 ? '+' : '-';
    }

    // ---- -x ----

    /** Rows of {@code xx: b0 b1 ... b15}: the format {@code lspci -F} reads back. */
    static void hexDump(StringBuilder out, PciFunctionView f, int length) {
        for (int row = 0; row < length; row += 16) {
            out.append(String.format("%02x:", row));
            for (int i = 0; i < 16; i++) {
                out.append(String.format(" %02x", f.u8(row + i)));
            }
            out.append('\n');
        }
    }
}
