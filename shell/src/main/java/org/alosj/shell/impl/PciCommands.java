package org.alosj.shell.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDeviceManager.Function;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.alosj.shell.pci.Lspci;
import org.alosj.shell.pci.LspciOptions;
import org.alosj.shell.pci.PciFunctionView;
import org.alosj.shell.pci.PciIds;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The PCI commands: lspci, and the sysfs-like driver controls (devices, drivers, bind, unbind,
 * override, reprobe) over the kernel's device manager.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PciCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=lspci",
    "osgi.command.function=devices",
    "osgi.command.function=drivers",
    "osgi.command.function=bind",
    "osgi.command.function=unbind",
    "osgi.command.function=override",
    "osgi.command.function=reprobe",
})
public final class PciCommands {
    // The kernel may restart (or not be there yet): the commands stay and say so.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PciDeviceManager deviceManager;

    @Reference(service = PciDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    private volatile List<PciDriver> pciDrivers;

    /** pci.ids files parsed so far, by path; re-read when the file changes. */
    private final Map<Path, Cached> idsCache = new ConcurrentHashMap<>();

    private record Cached(long modified, long size, PciIds ids) {
    }

    @Descriptor("list PCI devices, as pciutils' lspci\n"
            + "  -n        numeric IDs; -nn both names and numbers\n"
            + "  -v        verbose: subsystem, flags, BARs, expansion ROM, capabilities, driver\n"
            + "  -k        kernel driver in use and candidate drivers\n"
            + "  -x        hex dump of the first 64 bytes of config space; -xxx all 256 (lspci -F reads it)\n"
            + "  -s [[bus]:][slot][.[func]]   only matching functions\n"
            + "  -d [vendor]:[device][:class[:prog-if]]   only matching IDs\n"
            + "  -i FILE   use FILE as the PCI ID database instead of the system's pci.ids")
    public void lspci(@Descriptor("options") String... args) throws IOException {
        LspciOptions options = LspciOptions.parse(Arrays.asList(args));
        PciIds ids = ids(options.idsFile());
        System.out.print(new Lspci(ids, options).format(snapshot(manager())));
        System.out.flush();
    }

    @Descriptor("every PCI function and its state: bound driver, failed (with the reason) or unbound, with candidates")
    public void devices() throws IOException {
        PciIds ids = ids(null);
        for (Function f : manager().functions()) {
            System.out.println(String.format("%s %04x:%04x %-24s %s", f.address(), f.vendorId(), f.deviceId(),
                    className(ids, f.classCode() >> 8), state(f)));
        }
        System.out.flush();
    }

    @Descriptor("PCI drivers present: name, ID table and the functions each drives")
    public void drivers() {
        PciDeviceManager m = manager();
        List<Function> functions = m.functions();
        List<PciDriver> services = new ArrayList<>(pciDrivers == null ? List.of() : pciDrivers);
        services.sort((a, b) -> a.name().compareTo(b.name()));
        List<String> shown = new ArrayList<>();
        for (PciDriver d : services) {
            shown.add(d.name());
            System.out.println(d.name());
            for (PciId id : d.idTable()) {
                System.out.println("  id " + id);
            }
            printBound(functions, d.name());
        }
        // Device Access drivers (org.osgi.service.device) bind too but are not PciDriver services.
        for (String name : m.drivers()) {
            if (!shown.contains(name)) {
                System.out.println(name + " (Device Access driver)");
                printBound(functions, name);
            }
        }
        if (shown.isEmpty() && m.drivers().isEmpty()) {
            System.out.println("no PCI drivers installed");
        }
        System.out.flush();
    }

    private static void printBound(List<Function> functions, String driver) {
        List<String> bound = functions.stream().filter(f -> driver.equals(f.driver()))
                .map(f -> f.address().toString()).toList();
        System.out.println("  bound: " + (bound.isEmpty() ? "none" : String.join(", ", bound)));
    }

    @Descriptor("bind a PCI function to a driver (as echo SLOT > /sys/bus/pci/drivers/DRIVER/bind)")
    public void bind(@Descriptor("slot, e.g. 00:02.0") String slot, @Descriptor("driver name") String driver) {
        PciDeviceManager m = manager();
        PciAddress a = PciAddress.parse(slot);
        m.bind(a, driver);
        System.out.println(a + ": " + state(m.function(a).orElseThrow()));
    }

    @Descriptor("unbind a PCI function from its driver; it stays unbound until reprobe")
    public void unbind(@Descriptor("slot, e.g. 00:02.0") String slot) {
        PciDeviceManager m = manager();
        PciAddress a = PciAddress.parse(slot);
        m.unbind(a);
        System.out.println(a + ": " + state(m.function(a).orElseThrow()));
    }

    @Descriptor("set the only driver allowed to bind a function (Linux driver_override), or - to clear;"
            + " takes effect at the next probe (unbind + reprobe)")
    public void override(@Descriptor("slot, e.g. 00:02.0") String slot,
                         @Descriptor("driver name, or - to clear") String driver) {
        PciDeviceManager m = manager();
        PciAddress a = PciAddress.parse(slot);
        m.setDriverOverride(a, driver.equals("-") ? null : driver);
        System.out.println(a + ": " + state(m.function(a).orElseThrow()));
    }

    @Descriptor("match drivers again for one function, or for every unbound function")
    public void reprobe(@Descriptor("slot (optional)") String... slot) {
        PciDeviceManager m = manager();
        if (slot.length > 1) {
            throw new IllegalArgumentException("usage: reprobe [SLOT]");
        }
        List<PciAddress> targets = new ArrayList<>();
        if (slot.length == 1) {
            targets.add(PciAddress.parse(slot[0]));
        } else {
            m.functions().stream().filter(f -> f.driver() == null).forEach(f -> targets.add(f.address()));
        }
        for (PciAddress a : targets) {
            m.reprobe(a);
            System.out.println(a + ": " + state(m.function(a).orElseThrow()));
        }
        if (targets.isEmpty()) {
            System.out.println("every function is bound");
        }
    }

    // ---- helpers ----

    private PciDeviceManager manager() {
        PciDeviceManager m = deviceManager;
        if (m == null) {
            throw new IllegalStateException("the kernel is not running (no PciDeviceManager service)");
        }
        return m;
    }

    static String state(Function f) {
        StringBuilder s = new StringBuilder();
        if (f.driver() != null) {
            s.append("bound to ").append(f.driver());
        } else if (f.failure() != null) {
            s.append("failed: ").append(f.failure());
        } else {
            s.append("unbound");
        }
        if (!f.candidates().isEmpty()) {
            s.append(" (candidates: ").append(String.join(", ", f.candidates())).append(')');
        } else if (f.driver() == null) {
            s.append(" (no driver claims it)");
        }
        if (f.driverOverride() != null) {
            s.append(" [override: ").append(f.driverOverride()).append(']');
        }
        return s.toString();
    }

    private static String className(PciIds ids, int classAndSub) {
        String sub = ids.subclassName(classAndSub >> 8, classAndSub & 0xff);
        return sub != null ? sub : String.format("class %04x", classAndSub);
    }

    /** Every function's config space, read through the device manager as lspci reads sysfs. */
    static List<PciFunctionView> snapshot(PciDeviceManager m) {
        List<PciFunctionView> out = new ArrayList<>();
        for (Function f : m.functions()) {
            byte[] config = new byte[PciFunctionView.CONFIG_SIZE];
            for (int off = 0; off < config.length; off += 4) {
                int v = m.configRead(f.address(), off, 4);
                config[off] = (byte) v;
                config[off + 1] = (byte) (v >> 8);
                config[off + 2] = (byte) (v >> 16);
                config[off + 3] = (byte) (v >> 24);
            }
            long[] sizes = new long[7];
            for (PciBar bar : f.bars()) {
                if (bar.kind() == PciBar.Kind.ROM) {
                    sizes[PciFunctionView.ROM] = bar.size();
                } else if (bar.index() >= 0 && bar.index() < 6) {
                    sizes[bar.index()] = bar.size();
                }
            }
            out.add(new PciFunctionView(f.address(), config, f.driver(), f.candidates(), sizes));
        }
        return out;
    }

    /**
     * The database for {@code -i FILE}, or the system's; parsed once and kept while the file is
     * unchanged. With no system database names are numbers, as lspci prints them.
     */
    PciIds ids(String file) throws IOException {
        Path path;
        if (file != null) {
            path = Path.of(file);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new IllegalArgumentException("lspci: cannot read PCI ID database " + file
                        + (Files.exists(path) ? " (not a readable file)" : " (no such file)"));
            }
        } else {
            var system = PciIds.systemFile();
            if (system.isEmpty()) {
                return PciIds.EMPTY;
            }
            path = system.get();
        }
        long modified = Files.getLastModifiedTime(path).toMillis();
        long size = Files.size(path);
        Cached c = idsCache.get(path);
        if (c == null || c.modified != modified || c.size != size) {
            c = new Cached(modified, size, PciIds.load(path));
            idsCache.put(path, c);
        }
        return c.ids;
    }
}
