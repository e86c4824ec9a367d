package org.alosj.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The machine and OS settings the launcher hands to Configuration Admin: the {@code .cfg} files
 * of the distribution's {@code conf/} folder (Felix File Install's naming: {@code PID.cfg}, or
 * {@code FACTORYPID-NAME.cfg} for a factory configuration), overlaid by the command line. Devices
 * and netdevs given on the command line replace those of the files, as QEMU's flags replace
 * defaults.
 */
final class MachineConfig {
    static final String MACHINE_PID = "org.alosj.machine";
    static final String PCNET_FACTORY = "org.alosj.hw.pcnet";
    static final String E1000_FACTORY = "org.alosj.hw.e1000";
    static final String E1000E_FACTORY = "org.alosj.hw.e1000e";
    static final String VIRTIO_NET_FACTORY = "org.alosj.hw.virtio.net";
    static final String VIRTIO_BLK_FACTORY = "org.alosj.hw.virtio.blk";
    static final String DISPLAY_FACTORY = "org.alosj.hw.display";
    /** The NICs: their configurations share mac, addr, netdev and name. */
    static final java.util.Set<String> NIC_FACTORIES = java.util.Set.of(PCNET_FACTORY, E1000_FACTORY, E1000E_FACTORY,
            VIRTIO_NET_FACTORY);
    /** The PIIX3 IDE function and its disks ({@code drive.N.file}, {@code drive.N.readonly}). */
    static final String ATA_PID = "org.alosj.hw.ata";
    /** The VFS: {@code root} (the disk mounted on /), {@code rootfstype}, {@code rootflags}. */
    static final String VFS_PID = "org.alosj.vfs";
    static final String HUB_FACTORY = "org.alosj.netdev.hub";
    static final String PCAP_FACTORY = "org.alosj.netdev.pcap";
    static final String DEVICE_PREFIX = "org.alosj.hw.";
    static final String NETDEV_PREFIX = "org.alosj.netdev.";

    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,31}");

    private final Map<String, ConfigEntry> entries = new TreeMap<>();

    /** Reads every {@code .cfg} in {@code dir}, substituting {@code ${name}} from {@code vars}. */
    static MachineConfig fromDirectory(Path dir, Map<String, String> vars) throws IOException, UsageException {
        MachineConfig config = new MachineConfig();
        if (!Files.isDirectory(dir)) {
            return config;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.cfg")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        for (Path file : files) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            Map<String, String> props = new LinkedHashMap<>();
            for (String k : p.stringPropertyNames()) {
                props.put(k, substitute(p.getProperty(k), vars, file));
            }
            String base = file.getFileName().toString();
            base = base.substring(0, base.length() - ".cfg".length());
            int dash = base.indexOf('-');
            ConfigEntry e = dash < 0 ? ConfigEntry.singleton(base, props)
                    : ConfigEntry.factory(base.substring(0, dash), base.substring(dash + 1), props);
            config.put(normalize(e, file.getFileName().toString()));
        }
        return config;
    }

    private static String substitute(String value, Map<String, String> vars, Path file) throws UsageException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start);
            if (end < 0) {
                throw new UsageException(file + ": unterminated ${ in '" + value + "'");
            }
            String name = value.substring(start + 2, end);
            String v = vars.get(name);
            if (v == null) {
                throw new UsageException(file + ": unknown variable ${" + name + "} (known: " + vars.keySet() + ")");
            }
            out.append(value, i, start).append(v);
            i = end + 1;
        }
        return out.toString();
    }

    /** Whether a device factory is a network card (those replace the default NIC). */
    static boolean isNic(String factoryPid) {
        return factoryPid != null && NIC_FACTORIES.contains(factoryPid);
    }

    void put(ConfigEntry e) {
        entries.put(e.key(), e);
    }

    void removeIf(java.util.function.Predicate<ConfigEntry> p) {
        entries.values().removeIf(p);
    }

    List<ConfigEntry> entries() {
        return new ArrayList<>(entries.values());
    }

    ConfigEntry ata() {
        return entries.computeIfAbsent(ATA_PID, k -> ConfigEntry.singleton(ATA_PID, Map.of()));
    }

    ConfigEntry machine() {
        return entries.computeIfAbsent(MACHINE_PID, k -> ConfigEntry.singleton(MACHINE_PID, Map.of()));
    }

    /**
     * Checks a device or netdev configuration and turns its {@code netdev} reference into the
     * DS target filter the component reads.
     */
    static ConfigEntry normalize(ConfigEntry e, String origin) throws UsageException {
        Map<String, String> p = new LinkedHashMap<>(e.properties());
        if (DISPLAY_FACTORY.equals(e.factoryPid())) {
            String addr = p.get("addr");
            if (addr != null) {
                p.put("addr", Integer.toString(parseSlot(addr, origin)));
            }
            p.putIfAbsent("name", e.name());
            p.putIfAbsent("id", e.name());
        } else if (VIRTIO_BLK_FACTORY.equals(e.factoryPid())) {
            String addr = p.get("addr");
            if (addr != null) {
                p.put("addr", Integer.toString(parseSlot(addr, origin)));
            }
            p.putIfAbsent("name", e.name());
            if (p.get("file") == null || p.get("file").isBlank()) {
                throw new UsageException(origin + ": virtio-blk needs file=PATH");
            }
        } else if (isNic(e.factoryPid())) {
            String mac = p.get("mac");
            if (mac != null) {
                checkMac(mac, origin);
            }
            String addr = p.get("addr");
            if (addr != null) {
                p.put("addr", Integer.toString(parseSlot(addr, origin)));
            }
            p.putIfAbsent("name", e.name());
            String netdev = p.remove("netdev");
            if (netdev != null) {
                checkId(netdev, origin, "netdev");
                p.put("netdev", netdev);
                p.put("backend.target", "(netdev.id=" + netdev + ")");
            }
        } else if (e.isFactory() && e.factoryPid().startsWith(NETDEV_PREFIX)) {
            p.putIfAbsent("id", e.name());
            checkId(p.get("id"), origin, "id");
            NetdevOptions.check(e.factoryPid(), p, origin);
            if (NetdevOptions.FAULT_FACTORY.equals(e.factoryPid())) {
                checkId(p.get("netdev"), origin, "netdev");
                p.put("inner.target", "(netdev.id=" + p.get("netdev") + ")");
            }
            if (PCAP_FACTORY.equals(e.factoryPid())) {
                if (p.get("file") == null || p.get("file").isBlank()) {
                    throw new UsageException(origin + ": pcap netdev needs file=PATH");
                }
                String inner = p.get("netdev");
                if (inner != null) {
                    checkId(inner, origin, "netdev");
                    p.put("inner.target", "(netdev.id=" + inner + ")");
                }
            }
        }
        return new ConfigEntry(e.pid(), e.factoryPid(), e.name(), p);
    }

    /**
     * A netdev that wraps another (pcap, fault) must not end up wrapping itself: DS would never
     * satisfy the loop, and the NIC would silently have no backend.
     */
    static void checkNetdevChains(List<ConfigEntry> netdevs, String origin) throws UsageException {
        Map<String, String> inner = new LinkedHashMap<>();
        for (ConfigEntry n : netdevs) {
            String wrapped = n.properties().get("netdev");
            if (wrapped != null) {
                inner.put(n.properties().get("id"), wrapped);
            }
        }
        for (String start : inner.keySet()) {
            List<String> chain = new ArrayList<>(List.of(start));
            for (String next = inner.get(start); next != null; next = inner.get(next)) {
                chain.add(next);
                if (next.equals(start)) {
                    throw new UsageException(origin + " " + start + ": the netdevs wrap each other in a loop: "
                            + String.join(" -> ", chain));
                }
                if (chain.size() > inner.size() + 1) {
                    break;
                }
            }
        }
    }

    static void checkMac(String mac, String origin) throws UsageException {
        if (!MAC.matcher(mac).matches()) {
            throw new UsageException(origin + ": bad MAC '" + mac
                    + "': expected six hex bytes separated by colons, like 52:54:00:12:34:56");
        }
        if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
            throw new UsageException(origin + ": bad MAC '" + mac + "': a multicast address cannot be a NIC's own");
        }
    }

    static void checkId(String id, String origin, String what) throws UsageException {
        if (id == null || !ID.matcher(id).matches()) {
            throw new UsageException(origin + ": bad " + what + " '" + id
                    + "': letters, digits, '_', '.', '-', starting with a letter");
        }
    }

    /** A PCI slot, in hex as QEMU's addr= (0x3, 3, 03, or 03.0). */
    static int parseSlot(String addr, String origin) throws UsageException {
        String s = addr.toLowerCase();
        if (s.endsWith(".0")) {
            s = s.substring(0, s.length() - 2);
        }
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        int slot;
        try {
            slot = Integer.parseInt(s, 16);
        } catch (NumberFormatException ex) {
            throw new UsageException(origin + ": bad addr '" + addr + "': expected a PCI slot number like 3 or 0x1f");
        }
        if (slot < 2 || slot > 31) {
            throw new UsageException(origin + ": addr '" + addr + "' is out of range: slots 0 and 1 hold the "
                    + "host and ISA bridges, devices go in 2-31");
        }
        return slot;
    }
}
