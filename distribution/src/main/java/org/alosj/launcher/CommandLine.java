package org.alosj.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's flags, in QEMU's spelling where QEMU has one. Parsing only collects and checks;
 * {@link #applyTo} overlays the result on the configuration read from conf/.
 */
final class CommandLine {
    static final String USAGE = String.join("\n",
            "usage: alos [options]",
            "Boots the ALOS/J machine to the Gogo shell (or runs -c commands and exits).",
            "",
            "  -m SIZE                 guest RAM: MiB, or with a suffix (512M, 1G); default 256",
            "  -smp N                  processors (default 1)",
            "  -device pcnet[,netdev=ID][,mac=52:54:00:12:34:56][,addr=SLOT][,id=NAME]",
            "                          an AMD PCnet-PCI II NIC; repeatable; replaces the default NIC",
            "  -device e1000[,netdev=ID][,mac=MAC][,addr=SLOT][,id=NAME]",
            "                          an Intel 82540EM (8086:100e), driven by e1000; as -device pcnet",
            "  -device e1000e[,netdev=ID][,mac=MAC][,addr=SLOT][,id=NAME]",
            "                          an Intel 82574L (8086:10d3, PCIe), driven by e1000e; as -device pcnet",
            "  -nic TYPE[,model=pcnet|e1000|e1000e][,mac=MAC][,NETDEV OPTIONS]",
            "                          QEMU's shorthand: a -netdev TYPE and a NIC on it (model e1000 by",
            "                          default, as QEMU's pc); -nic none: no NIC at all",
            "  -device virtio-net-pci[,netdev=ID][,mac=MAC][,addr=SLOT][,id=NAME][,disable-legacy=on][,disable-modern=on][,host_mtu=N]",
            "                          a virtio-net NIC: transitional (1af4:1000) by default, modern only",
            "                          (1af4:1041) with disable-legacy=on; repeatable; replaces the default NIC",
            "                          host_mtu=N offers MTU N (VIRTIO_NET_F_MTU), e.g. 9000 for jumbo frames",
            "  -device virtio-blk-pci,drive=ID[,addr=SLOT][,id=NAME][,serial=S][,disable-legacy=on][,disable-modern=on]",
            "                          a virtio-blk disk over the -drive if=none,id=ID: transitional (1af4:1001)",
            "                          or modern only (1af4:1042); named vda, vdb, ... in slot order",
            "  -vga std|none           QEMU's standard VGA (1234:1111, class 0300: VBE DISPI, linear frame",
            "                          buffer) with the frame-buffer console and a shell on it; default none",
            "  -device bochs-display[,id=NAME][,addr=SLOT][,vgamem=16M]",
            "                          QEMU's bochs-display (1234:1111, class 0380, no VGA ports); repeatable",
            "  -netdev hub,id=ID       an in-JVM Ethernet hub",
            "  -netdev pcap,id=ID,file=PATH[,netdev=ID]",
            "                          capture to a pcap file, passing frames on to netdev ID if given",
            "  -netdev passt,id=ID[,hostfwd=tcp::8080-:80]...[,mtu=1500][,netns=NS][,dns-forward=ADDR]",
            "                          host networking through passt, which ALOS/J starts and stops",
            "  -netdev passt,id=ID,socket=PATH",
            "                          host networking through the passt listening on PATH",
            "  -netdev udp,id=ID,local=HOST:PORT,remote=HOST:PORT",
            "                          raw frames in UDP datagrams (QEMU's dgram): a LAN with another machine",
            "  -netdev fault,id=ID,netdev=ID[,drop=R][,dup=R][,reorder=R][,delay=2ms][,seed=N]",
            "                          drop, duplicate, reorder and delay the frames of netdev ID (tests)",
            "  -drive file=PATH[,if=ide][,index=N][,readonly=on][,format=raw]",
            "                          a raw disk image on the PIIX3 IDE controller; index 0-3 = primary",
            "                          master/slave, secondary master/slave (default: the first free)",
            "  -drive file=PATH,if=virtio[,readonly=on][,format=raw]",
            "                          a raw disk image on its own virtio-blk-pci function (transitional)",
            "  -drive file=PATH,if=none,id=ID[,readonly=on][,format=raw]",
            "                          a raw disk image for -device virtio-blk-pci,drive=ID",
            "  -append 'root=/dev/hda [rootfstype=ext2] [ro]'",
            "                          the kernel command line (QEMU's spelling): the disk mounted on /,",
            "                          its /config (network.conf, startup.sh) included",
            "  -nodefaults             no devices, netdevs or drives from conf/",
            "                          Without -drive, the default disk is attached as hda and mounted on /: a",
            "                          fresh copy of the distribution's images/disk.img (ext2) in the run",
            "                          directory each run. -drive disks replace it and are only attached",
            "                          (mount /dev/hda /mnt mounts one).",
            "  --keep-disk             keep the default disk of the last run (run/disk.img) instead of a fresh copy",
            "  -k LAYOUT               the keyboard layout: us (en-us) or fr (QEMU's spelling)",
            "  -serial none|stdio|file:PATH",
            "                          where COM1 (the kernel's console log) goes",
            "  -gdb tcp:[HOST]:PORT    serve GDB's remote protocol for the next program started (host 127.0.0.1",
            "                          by default); -s is -gdb tcp::1234; with -S that program waits for gdb",
            "                          at its first instruction",
            "  -vnc [HOST]:N           serve the screen, keyboard and mouse over VNC (RFB) on TCP port 5900+N;",
            "                          HOST is 127.0.0.1 unless given (-vnc 0.0.0.0:N lets other hosts drive",
            "                          the machine: there is no password); -vnc none: no VNC",
            "  -display window|none    window: show the screen in a desktop window that takes the host's keys",
            "                          and mouse (gtk and sdl are taken as window); none: headless (the default)",
            "  -c 'CMD; CMD'           run shell commands without a terminal; exit with the last one's status",
            "  --conf DIR              read configuration from DIR instead of the distribution's conf/",
            "  -h, --help              this help");

    Integer ramMiB;
    Integer cpus;
    String serial;
    String keymap;
    String script;
    Path confDir;
    Path home;
    boolean noDefaults;
    boolean help;
    boolean keepDisk;
    /** {@code -gdb}: host and port of the GDB stub; {@code -S}: the program waits for gdb. */
    String gdbHost;
    Integer gdbPort;
    boolean gdbWait;
    /** {@code -vnc}: address and port of the VNC server, or null for none. */
    String vncHost;
    Integer vncPort;
    /** {@code -display window}: the screen in a desktop window. */
    boolean displayWindow;
    /** {@code -nic none}: no NIC, not even the default one. */
    boolean noNics;
    /** The root file system from -append: root (a disk name, hda), rootfstype, rootflags. */
    Map<String, String> root;
    final List<ConfigEntry> devices = new ArrayList<>();
    final List<ConfigEntry> netdevs = new ArrayList<>();
    /** Disks by IDE index (0-3): file (absolute) and read-only flag. */
    final Map<Integer, Drive> drives = new java.util.TreeMap<>();
    /** {@code -drive if=none} disks by id, for {@code -device virtio-blk-pci,drive=ID}. */
    final Map<String, Drive> namedDrives = new LinkedHashMap<>();
    /** Whether any -drive was given (of any interface): the default disk then goes. */
    boolean anyDrive;
    private int nics;
    private int virtioDisks;
    private int displays;
    /** {@code -vga none}: no std VGA, not even one from conf/. */
    boolean noVga;

    /** One {@code -drive}: {@code iface} ide, virtio or none; {@code id} for none. */
    record Drive(int index, Path file, boolean readOnly, String iface, String id) {
        Drive(int index, Path file, boolean readOnly) {
            this(index, file, readOnly, "ide", null);
        }
    }

    private void parseGdb(String spec) throws UsageException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp:([^:]*):(\\d{1,5})").matcher(spec);
        if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
            throw new UsageException("-gdb: bad value '" + spec + "': expected tcp:[HOST]:PORT");
        }
        gdbHost = m.group(1).isEmpty() ? "127.0.0.1" : m.group(1);
        gdbPort = Integer.parseInt(m.group(2));
    }

    /** QEMU's {@code -vnc [HOST]:DISPLAY}: port 5900 + DISPLAY; loopback unless a host is named. */
    private void parseVnc(String spec) throws UsageException {
        if (spec.equals("none")) {
            vncPort = null;
            return;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^:,]*):(\\d{1,5})").matcher(spec);
        if (!m.matches() || Integer.parseInt(m.group(2)) > 65535 - 5900) {
            throw new UsageException("-vnc: bad value '" + spec + "': expected [HOST]:DISPLAY (port 5900+DISPLAY) or none");
        }
        vncHost = m.group(1).isEmpty() ? "127.0.0.1" : m.group(1);
        vncPort = 5900 + Integer.parseInt(m.group(2));
    }

    private void parseDisplay(String spec) throws UsageException {
        switch (spec) {
            case "window", "gtk", "sdl" -> displayWindow = true;
            case "none" -> displayWindow = false;
            default -> throw new UsageException("-display: unknown display '" + spec + "' (expected window, gtk, sdl or none)");
        }
    }

    static CommandLine parse(String[] args) throws UsageException {
        CommandLine c = new CommandLine();
        List<String[]> deviceSpecs = new ArrayList<>();
        int nicFlags = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help", "-help" -> c.help = true;
                case "-nodefaults" -> c.noDefaults = true;
                case "--keep-disk" -> c.keepDisk = true;
                case "-m" -> c.ramMiB = parseRam(value(args, ++i, a));
                case "-smp" -> c.cpus = parseCount(value(args, ++i, a), a);
                case "-serial" -> c.serial = parseSerial(value(args, ++i, a));
                case "-k" -> c.keymap = parseKeymap(value(args, ++i, a));
                case "-c" -> c.script = value(args, ++i, a);
                case "-gdb" -> c.parseGdb(value(args, ++i, a));
                case "-s" -> c.parseGdb("tcp::1234");
                case "-S" -> c.gdbWait = true;
                case "-vnc" -> c.parseVnc(value(args, ++i, a));
                case "-display" -> c.parseDisplay(value(args, ++i, a));
                case "--conf" -> c.confDir = Path.of(value(args, ++i, a));
                case "--home" -> c.home = Path.of(value(args, ++i, a));
                case "-device" -> deviceSpecs.add(new String[] {value(args, ++i, a)});
                case "-netdev" -> c.netdevs.add(parseNetdev(value(args, ++i, a)));
                case "-nic" -> c.addNic(value(args, ++i, a), nicFlags++);
                case "-vga" -> c.parseVga(value(args, ++i, a));
                case "-drive" -> c.addDrive(parseDrive(value(args, ++i, a)));
                case "-append" -> c.root = parseAppend(value(args, ++i, a));
                default -> throw new UsageException("unknown option '" + a + "' (try --help)");
            }
        }
        // Devices after drives: -device virtio-blk-pci,drive=ID may come before its -drive.
        for (String[] spec : deviceSpecs) {
            c.devices.add(c.parseDevice(spec[0]));
        }
        c.checkReferences();
        if (c.gdbWait && c.gdbPort == null) {
            throw new UsageException("-S: the program would wait for a debugger, but there is no -gdb or -s");
        }
        return c;
    }

    /**
     * {@code -append}: Linux's kernel parameters for the root file system, {@code root=/dev/hda}
     * (or {@code hda}), {@code rootfstype=}, {@code rootflags=}, {@code ro}, {@code rw}.
     */
    static Map<String, String> parseAppend(String line) throws UsageException {
        Map<String, String> root = new LinkedHashMap<>();
        for (String word : line.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            switch (key) {
                case "root" -> {
                    String dev = value.startsWith("/dev/") ? value.substring(5) : value;
                    if (!dev.matches("hd[a-d][1-9]?")) {
                        throw new UsageException("-append: root=" + value + ": expected an IDE disk like /dev/hda"
                                + " (or a partition, /dev/hda1)");
                    }
                    root.put("root", dev);
                }
                case "rootfstype" -> root.put("rootfstype", value);
                case "rootflags" -> root.put("rootflags", value);
                case "ro" -> root.put("rootflags", "ro");
                case "rw" -> root.remove("rootflags");
                default -> throw new UsageException("-append: unknown parameter '" + word
                        + "' (known: root=, rootfstype=, rootflags=, ro, rw)");
            }
        }
        if (!root.containsKey("root")) {
            throw new UsageException("-append '" + line + "': needs root=/dev/hdX");
        }
        root.putIfAbsent("rootfstype", "ext2");
        return root;
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) {
            throw new UsageException("option " + flag + " needs a value (try --help)");
        }
        return args[i];
    }

    static int parseRam(String s) throws UsageException {
        String v = s.trim().toUpperCase(Locale.ROOT);
        long mib;
        try {
            if (v.endsWith("G")) {
                mib = Long.parseLong(v.substring(0, v.length() - 1)) * 1024;
            } else if (v.endsWith("M")) {
                mib = Long.parseLong(v.substring(0, v.length() - 1));
            } else {
                mib = Long.parseLong(v);
            }
        } catch (NumberFormatException e) {
            throw new UsageException("-m: bad size '" + s + "': expected MiB or a size like 512M or 1G");
        }
        if (mib < 16 || mib > 16 * 1024) {
            throw new UsageException("-m: " + s + " is out of range: 16M to 16G");
        }
        return (int) mib;
    }

    private static int parseCount(String s, String flag) throws UsageException {
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + ": bad count '" + s + "': expected 1-64");
    }

    /** QEMU's -k names for the layouts the kernel has. */
    private static String parseKeymap(String s) throws UsageException {
        return switch (s) {
            case "us", "en-us" -> "us";
            case "fr" -> "fr";
            default -> throw new UsageException("-k: unknown keyboard layout '" + s + "' (us, fr)");
        };
    }

    private static String parseSerial(String s) throws UsageException {
        if (s.startsWith("file:") && s.length() > 5) {
            Path parent = Path.of(s.substring(5)).toAbsolutePath().getParent();
            if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
                throw new UsageException("-serial " + s + ": the directory " + parent + " does not exist");
            }
            return s;
        }
        if (s.equals("none") || s.equals("stdio")) {
            return s;
        }
        throw new UsageException("-serial: bad value '" + s + "': expected none, stdio or file:PATH");
    }

    /** Splits {@code type,key=value,...} into the type and its options. */
    private static Map<String, String> options(String spec, String flag, Set<String> allowed) throws UsageException {
        return options(spec, flag, allowed, Set.of());
    }

    /** As above; a key in {@code repeatable} may come more than once, its values joined by spaces. */
    private static Map<String, String> options(String spec, String flag, Set<String> allowed, Set<String> repeatable)
            throws UsageException {
        String[] parts = spec.split(",", -1);
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new UsageException(flag + " " + spec + ": bad option '" + parts[i] + "': expected key=value");
            }
            String key = parts[i].substring(0, eq);
            if (!allowed.contains(key)) {
                throw new UsageException(flag + " " + parts[0] + ": unknown option '" + key + "' (known: "
                        + String.join(", ", allowed) + ")");
            }
            String value = parts[i].substring(eq + 1);
            if (repeatable.contains(key) && opts.containsKey(key)) {
                opts.put(key, opts.get(key) + " " + value);
                continue;
            }
            if (opts.put(key, value) != null) {
                throw new UsageException(flag + " " + spec + ": option '" + key + "' given twice");
            }
        }
        return opts;
    }

    /** The NIC models {@code -device} and {@code -nic model=} know, and their factory PIDs. */
    static final Map<String, String> NIC_MODELS = Map.of(
            "pcnet", MachineConfig.PCNET_FACTORY,
            "e1000", MachineConfig.E1000_FACTORY,
            "e1000e", MachineConfig.E1000E_FACTORY,
            "virtio-net-pci", MachineConfig.VIRTIO_NET_FACTORY);

    private ConfigEntry parseDevice(String spec) throws UsageException {
        String type = spec.split(",", 2)[0];
        if (type.equals("virtio-net-pci")) {
            return parseVirtioNet(spec, nics++);
        }
        if (type.equals("virtio-blk-pci")) {
            return parseVirtioBlk(spec);
        }
        if (type.equals("bochs-display") || type.equals("VGA")) {
            return parseDisplay(spec, type);
        }
        String factory = NIC_MODELS.get(type);
        if (factory == null) {
            java.util.TreeSet<String> known = new java.util.TreeSet<>(NIC_MODELS.keySet());
            known.add("virtio-blk-pci");
            known.add("bochs-display");
            known.add("VGA");
            throw new UsageException("-device: unknown device '" + type + "' (known: " + String.join(", ", known) + ")");
        }
        return parseNic(spec, type, factory, nics++);
    }

    /**
     * The monitor's {@code device_add TYPE[,options]}: the same parsing as {@code -device} (and
     * so the same configuration), checked against the machine as it runs: {@code netdevIds} are
     * the netdevs it has. A drive named by {@code drive=} must be a {@code -drive if=none} given
     * at launch and not in use, as in QEMU.
     */
    synchronized ConfigEntry parseHotplugDevice(String spec, Set<String> netdevIds) throws UsageException {
        try {
            ConfigEntry d = parseDevice(spec);
            String nd = d.properties().get("netdev");
            if (nd != null && !netdevIds.contains(nd)) {
                throw new UsageException("-device " + d.name() + ": no netdev with id=" + nd
                        + (netdevIds.isEmpty() ? " (the machine has none)" : " (netdevs: "
                        + String.join(", ", new java.util.TreeSet<>(netdevIds)) + ")"));
            }
            return d;
        } catch (UsageException e) {
            throw new UsageException(e.getMessage().replaceFirst("^-device", "device_add"));
        }
    }

    private static ConfigEntry parseNic(String spec, String type, String factory, int index) throws UsageException {
        Map<String, String> o = options(spec, "-device", Set.of("netdev", "mac", "addr", "id"));
        String name = o.getOrDefault("id", type.equals("pcnet") ? "pcnet" + index : type + "-" + index);
        MachineConfig.checkId(name, "-device " + type, "id");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("name", name);
        props.put("mac", o.getOrDefault("mac", String.format("52:54:00:12:34:%02x", 0x56 + index)));
        if (o.containsKey("addr")) {
            props.put("addr", o.get("addr"));
        }
        if (o.containsKey("netdev")) {
            props.put("netdev", o.get("netdev"));
        }
        return MachineConfig.normalize(ConfigEntry.factory(factory, name, props), "-device " + type);
    }

    /**
     * {@code -nic TYPE[,model=M][,mac=MAC][,netdev options]}: QEMU's shorthand for a netdev with
     * a generated id and one NIC on it; {@code -nic none} asks for no NIC at all.
     */
    private void addNic(String spec, int nicIndex) throws UsageException {
        String[] parts = spec.split(",", -1);
        String type = parts[0];
        if (type.equals("none")) {
            if (parts.length > 1) {
                throw new UsageException("-nic none takes no options");
            }
            noNics = true;
            return;
        }
        String model = "e1000";
        String mac = null;
        StringBuilder netdev = new StringBuilder(type);
        String id = "nic" + nicIndex;
        netdev.append(",id=").append(id);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("model=")) {
                model = part.substring("model=".length());
            } else if (part.startsWith("mac=")) {
                mac = part.substring("mac=".length());
            } else if (part.startsWith("id=")) {
                throw new UsageException("-nic " + type + ": the netdev's id is made up by -nic (" + id + ")");
            } else {
                netdev.append(',').append(part);
            }
        }
        if (!NIC_MODELS.containsKey(model)) {
            throw new UsageException("-nic: unknown model '" + model + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(NIC_MODELS.keySet())) + ")");
        }
        try {
            netdevs.add(parseNetdev(netdev.toString()));
            devices.add(parseDevice(model + ",netdev=" + id + (mac == null ? "" : ",mac=" + mac)));
        } catch (UsageException e) {
            // The user wrote -nic: say so, not the -netdev/-device it stands for.
            throw new UsageException(e.getMessage().replaceFirst("^-(netdev|device)", "-nic"));
        }
    }

    /** QEMU's disable-legacy / disable-modern as the model's mode. */
    private static String virtioMode(Map<String, String> o, String origin) throws UsageException {
        boolean noLegacy = onOff(o.get("disable-legacy"), origin, "disable-legacy");
        boolean noModern = onOff(o.get("disable-modern"), origin, "disable-modern");
        if (noLegacy && noModern) {
            throw new UsageException(origin + ": disable-legacy=on and disable-modern=on leave no interface");
        }
        return noLegacy ? "modern" : noModern ? "legacy" : "transitional";
    }

    private static boolean onOff(String value, String origin, String key) throws UsageException {
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no", "auto" -> false;
            default -> throw new UsageException(origin + ": bad " + key + "=" + value + ": expected on or off");
        };
    }

    private static ConfigEntry parseVirtioNet(String spec, int index) throws UsageException {
        String origin = "-device virtio-net-pci";
        Map<String, String> o = options(spec, "-device", Set.of("netdev", "mac", "addr", "id", "disable-legacy",
                "disable-modern", "host_mtu"));
        String name = o.getOrDefault("id", "virtio-net" + index);
        MachineConfig.checkId(name, origin, "id");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("name", name);
        props.put("mac", o.getOrDefault("mac", String.format("52:54:00:12:34:%02x", 0x56 + index)));
        props.put("mode", virtioMode(o, origin));
        if (o.containsKey("addr")) {
            props.put("addr", o.get("addr"));
        }
        if (o.containsKey("netdev")) {
            props.put("netdev", o.get("netdev"));
        }
        if (o.containsKey("host_mtu")) {
            String mtu = o.get("host_mtu");
            int value;
            try {
                value = Integer.parseInt(mtu);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 68 || value > 65535) {
                throw new UsageException(origin + ": bad host_mtu=" + mtu + ": expected 68-65535");
            }
            props.put("host_mtu", Integer.toString(value));
        }
        return MachineConfig.normalize(ConfigEntry.factory(MachineConfig.VIRTIO_NET_FACTORY, name, props), origin);
    }

    /** {@code -vga std}: QEMU's standard VGA, as {@code -device VGA} with the id {@code vga}; {@code none}: no display. */
    private void parseVga(String value) throws UsageException {
        switch (value) {
            case "std" -> {
                if (devices.stream().anyMatch(d -> "vga".equals(d.name()))) {
                    throw new UsageException("-vga: given twice");
                }
                devices.add(displayEntry("vga", "std", null, 16, "-vga std"));
            }
            case "none" -> {
                devices.removeIf(d -> "vga".equals(d.name()));
                noVga = true;
            }
            default -> throw new UsageException("-vga: unsupported type '" + value + "' (known: std, none)");
        }
    }

    /** {@code -device bochs-display} and {@code -device VGA}, with QEMU's property names. */
    private ConfigEntry parseDisplay(String spec, String type) throws UsageException {
        boolean std = type.equals("VGA");
        Map<String, String> o = options(spec, "-device", Set.of("id", "addr", std ? "vgamem_mb" : "vgamem"));
        String id = o.getOrDefault("id", std ? "vga" + displays : "video" + displays);
        displays++;
        MachineConfig.checkId(id, "-device " + type, "id");
        int mib = 16;
        if (o.containsKey("vgamem_mb")) {
            mib = parseCount(o.get("vgamem_mb"), "-device VGA,vgamem_mb");
        } else if (o.containsKey("vgamem")) {
            String v = o.get("vgamem").toUpperCase(Locale.ROOT);
            try {
                long bytes = v.endsWith("M") ? Long.parseLong(v.substring(0, v.length() - 1)) << 20
                        : v.endsWith("G") ? Long.parseLong(v.substring(0, v.length() - 1)) << 30 : Long.parseLong(v);
                mib = (int) Math.min(bytes >> 20, Integer.MAX_VALUE);
            } catch (NumberFormatException e) {
                throw new UsageException("-device bochs-display: bad vgamem '" + o.get("vgamem") + "': expected a size like 16M");
            }
        }
        return displayEntry(id, std ? "std" : "bochs-display", o.get("addr"), mib, "-device " + type);
    }

    private static ConfigEntry displayEntry(String id, String type, String addr, int vgamemMiB, String origin)
            throws UsageException {
        if (vgamemMiB < 4 || vgamemMiB > 256 || Integer.bitCount(vgamemMiB) != 1) {
            throw new UsageException(origin + ": video memory must be a power of two from 4M to 256M, got " + vgamemMiB + "M");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("type", type);
        props.put("name", id);
        props.put("id", id);
        props.put("vgamem_mb", Integer.toString(vgamemMiB));
        if (addr != null) {
            props.put("addr", addr);
        }
        return MachineConfig.normalize(ConfigEntry.factory(MachineConfig.DISPLAY_FACTORY, id, props), origin);
    }

    private ConfigEntry parseVirtioBlk(String spec) throws UsageException {
        String origin = "-device virtio-blk-pci";
        Map<String, String> o = options(spec, "-device", Set.of("drive", "addr", "id", "serial", "disable-legacy",
                "disable-modern"));
        String driveId = o.get("drive");
        if (driveId == null) {
            throw new UsageException(origin + ": needs drive=ID (a -drive if=none,id=ID)");
        }
        Drive d = namedDrives.get(driveId);
        if (d == null) {
            throw new UsageException(origin + ": no -drive with if=none,id=" + driveId);
        }
        if (!d.iface().equals("none")) {
            throw new UsageException(origin + ": drive " + driveId + " is already used");
        }
        namedDrives.put(driveId, new Drive(d.index(), d.file(), d.readOnly(), "used", driveId));
        String name = o.getOrDefault("id", "virtio-blk" + virtioDisks++);
        MachineConfig.checkId(name, origin, "id");
        Map<String, String> props = virtioBlkProperties(name, d, virtioMode(o, origin));
        if (o.containsKey("addr")) {
            props.put("addr", o.get("addr"));
        }
        if (o.containsKey("serial")) {
            String serial = o.get("serial");
            if (!serial.matches("[ -~]{0,20}")) {
                throw new UsageException(origin + ": bad serial '" + serial + "': up to 20 printable ASCII characters");
            }
            props.put("serial", serial);
        }
        return MachineConfig.normalize(ConfigEntry.factory(MachineConfig.VIRTIO_BLK_FACTORY, name, props), origin);
    }

    private static Map<String, String> virtioBlkProperties(String name, Drive d, String mode) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("name", name);
        props.put("file", d.file().toString());
        props.put("readonly", Boolean.toString(d.readOnly()));
        props.put("mode", mode);
        return props;
    }

    private static ConfigEntry parseNetdev(String spec) throws UsageException {
        String type = spec.split(",", 2)[0];
        Map<String, String> o;
        String factory;
        switch (type) {
            case "hub" -> {
                o = options(spec, "-netdev", Set.of("id"));
                factory = MachineConfig.HUB_FACTORY;
            }
            case "pcap" -> {
                o = options(spec, "-netdev", Set.of("id", "file", "netdev"));
                factory = MachineConfig.PCAP_FACTORY;
                if (!o.containsKey("file")) {
                    throw new UsageException("-netdev pcap: needs file=PATH");
                }
                o.put("file", Path.of(o.get("file")).toAbsolutePath().toString());
            }
            case "passt" -> {
                o = NetdevOptions.fromFlags(type, options(spec, "-netdev", Set.of("id", "socket", "hostfwd", "mtu",
                        "netns", "dns-forward"), Set.of("hostfwd")));
                factory = NetdevOptions.PASST_FACTORY;
            }
            case "udp" -> {
                o = options(spec, "-netdev", Set.of("id", "local", "remote"));
                factory = NetdevOptions.UDP_FACTORY;
            }
            case "fault" -> {
                o = options(spec, "-netdev", Set.of("id", "netdev", "drop", "dup", "reorder", "delay", "seed"));
                factory = NetdevOptions.FAULT_FACTORY;
            }
            default -> throw new UsageException("-netdev: unknown backend '" + type
                    + "' (known: hub, pcap, passt, udp, fault)");
        }
        String id = o.get("id");
        if (id == null) {
            throw new UsageException("-netdev " + type + ": needs id=ID");
        }
        MachineConfig.checkId(id, "-netdev " + type, "id");
        return MachineConfig.normalize(ConfigEntry.factory(factory, id, o), "-netdev " + type);
    }

    /** {@code -drive}: QEMU's spelling; only raw images on the IDE interface. Index -1: first free. */
    static Drive parseDrive(String spec) throws UsageException {
        Map<String, String> o = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("-drive " + spec + ": bad option '" + part + "': expected key=value");
            }
            String key = part.substring(0, eq);
            if (!Set.of("file", "if", "index", "readonly", "format", "media", "id").contains(key)) {
                throw new UsageException("-drive: unknown option '" + key
                        + "' (known: file, if, index, readonly, format, media, id)");
            }
            if (o.put(key, part.substring(eq + 1)) != null) {
                throw new UsageException("-drive " + spec + ": option '" + key + "' given twice");
            }
        }
        String file = o.get("file");
        if (file == null || file.isEmpty()) {
            throw new UsageException("-drive " + spec + ": needs file=PATH");
        }
        String iface = o.getOrDefault("if", "ide");
        if (!Set.of("ide", "virtio", "none").contains(iface)) {
            throw new UsageException("-drive " + spec + ": unsupported if=" + iface + " (known: ide, virtio, none)");
        }
        String id = o.get("id");
        if (iface.equals("none") && id == null) {
            throw new UsageException("-drive " + spec + ": if=none needs id=ID (for -device virtio-blk-pci,drive=ID)");
        }
        if (id != null) {
            MachineConfig.checkId(id, "-drive", "id");
        }
        if (!iface.equals("ide") && o.containsKey("index")) {
            throw new UsageException("-drive " + spec + ": index= is for if=ide only");
        }
        String format = o.getOrDefault("format", "raw");
        if (!format.equals("raw")) {
            throw new UsageException("-drive " + spec + ": unsupported format=" + format + " (known: raw)");
        }
        String media = o.getOrDefault("media", "disk");
        if (!media.equals("disk")) {
            throw new UsageException("-drive " + spec + ": unsupported media=" + media + " (known: disk)");
        }
        boolean readOnly = switch (o.getOrDefault("readonly", "off")) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new UsageException("-drive " + spec + ": bad readonly=" + o.get("readonly")
                    + ": expected on or off");
        };
        int index = -1;
        if (o.containsKey("index")) {
            try {
                index = Integer.parseInt(o.get("index"));
            } catch (NumberFormatException e) {
                index = -2;
            }
            if (index < 0 || index > 3) {
                throw new UsageException("-drive " + spec + ": bad index=" + o.get("index")
                        + ": expected 0-3 (primary master, primary slave, secondary master, secondary slave)");
            }
        }
        Path path = Path.of(file).toAbsolutePath();
        if (!java.nio.file.Files.exists(path)) {
            throw new UsageException("-drive " + spec + ": " + path + " does not exist");
        }
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new UsageException("-drive " + spec + ": " + path + " is not a regular file");
        }
        if (!java.nio.file.Files.isReadable(path)) {
            throw new UsageException("-drive " + spec + ": " + path + " is not readable");
        }
        if (!readOnly && !java.nio.file.Files.isWritable(path)) {
            throw new UsageException("-drive " + spec + ": " + path + " is not writable (add readonly=on)");
        }
        try {
            if (java.nio.file.Files.size(path) < 512) {
                throw new UsageException("-drive " + spec + ": " + path + " is smaller than one 512-byte sector");
            }
        } catch (java.io.IOException e) {
            throw new UsageException("-drive " + spec + ": cannot read " + path + ": " + e.getMessage());
        }
        return new Drive(index, path, readOnly, iface, id);
    }

    private void addDrive(Drive d) throws UsageException {
        anyDrive = true;
        if (d.id() != null && namedDrives.containsKey(d.id())) {
            throw new UsageException("-drive: id '" + d.id() + "' is used twice");
        }
        if (d.iface().equals("virtio")) {
            String name = "virtio-blk" + virtioDisks++;
            devices.add(MachineConfig.normalize(ConfigEntry.factory(MachineConfig.VIRTIO_BLK_FACTORY, name,
                    virtioBlkProperties(name, d, "transitional")), "-drive if=virtio"));
            if (d.id() != null) {
                namedDrives.put(d.id(), new Drive(d.index(), d.file(), d.readOnly(), "used", d.id()));
            }
            return;
        }
        if (d.iface().equals("none")) {
            namedDrives.put(d.id(), d);
            return;
        }
        if (d.id() != null) {
            namedDrives.put(d.id(), new Drive(d.index(), d.file(), d.readOnly(), "used", d.id()));
        }
        int index = d.index();
        if (index < 0) {
            index = 0;
            while (drives.containsKey(index)) {
                index++;
            }
            if (index > 3) {
                throw new UsageException("-drive file=" + d.file() + ": all four IDE positions are taken");
            }
        } else if (drives.containsKey(index)) {
            throw new UsageException("-drive file=" + d.file() + ": index=" + index + " is already used by "
                    + drives.get(index).file());
        }
        drives.put(index, new Drive(index, d.file(), d.readOnly()));
    }

    private void checkReferences() throws UsageException {
        Set<String> ids = new HashSet<>();
        for (ConfigEntry n : netdevs) {
            if (!ids.add(n.properties().get("id"))) {
                throw new UsageException("-netdev: id '" + n.properties().get("id") + "' is used twice");
            }
        }
        Set<String> names = new HashSet<>();
        Set<Integer> slots = new HashSet<>();
        for (ConfigEntry d : devices) {
            if (!names.add(d.name())) {
                throw new UsageException("-device: id '" + d.name() + "' is used twice");
            }
            String addr = d.properties().get("addr");
            if (addr != null && !slots.add(Integer.parseInt(addr))) {
                throw new UsageException("-device: two devices at addr=" + addr);
            }
            String nd = d.properties().get("netdev");
            if (nd != null && !ids.contains(nd) && !netdevs.isEmpty()) {
                throw new UsageException("-device " + d.name() + ": no -netdev with id=" + nd);
            }
        }
        for (ConfigEntry n : netdevs) {
            String inner = n.properties().get("netdev");
            if (inner != null && !ids.contains(inner)) {
                throw new UsageException("-netdev " + n.name() + ": no -netdev with id=" + inner);
            }
        }
        MachineConfig.checkNetdevChains(netdevs, "-netdev");
    }

    /** Overlays the flags on the configuration from conf/. */
    void applyTo(MachineConfig config) {
        if (noDefaults) {
            config.removeIf(e -> e.isFactory() && e.factoryPid().startsWith(MachineConfig.DEVICE_PREFIX));
        } else if (noNics || devices.stream().anyMatch(d -> MachineConfig.isNic(d.factoryPid()))) {
            config.removeIf(e -> e.isFactory() && MachineConfig.isNic(e.factoryPid()));
        }
        if (noDefaults || noNics || !netdevs.isEmpty()) {
            config.removeIf(e -> e.isFactory() && e.factoryPid().startsWith(MachineConfig.NETDEV_PREFIX));
        }
        if (noVga) {
            config.removeIf(e -> MachineConfig.DISPLAY_FACTORY.equals(e.factoryPid())
                    && "std".equals(e.properties().get("type")));
        }
        devices.forEach(config::put);
        netdevs.forEach(config::put);
        ConfigEntry ata = config.ata();
        Map<String, String> ap = new LinkedHashMap<>(ata.properties());
        if (noDefaults || anyDrive) {
            ap.keySet().removeIf(k -> k.startsWith("drive."));
            // The disks given are attached, not mounted: no root disk for the VFS.
            config.removeIf(e -> MachineConfig.VFS_PID.equals(e.pid()));
        }
        for (Drive d : drives.values()) {
            ap.put("drive." + d.index() + ".file", d.file().toString());
            ap.put("drive." + d.index() + ".readonly", Boolean.toString(d.readOnly()));
        }
        config.put(ConfigEntry.singleton(MachineConfig.ATA_PID, ap));
        if (root != null) {
            config.put(ConfigEntry.singleton(MachineConfig.VFS_PID, root));
        }
        ConfigEntry m = config.machine();
        Map<String, String> p = new LinkedHashMap<>(m.properties());
        if (ramMiB != null) {
            p.put("ram.mib", Integer.toString(ramMiB));
        }
        if (cpus != null) {
            p.put("cpus", Integer.toString(cpus));
        }
        if (serial != null) {
            p.put("serial", serial.startsWith("file:")
                    ? "file:" + Path.of(serial.substring(5)).toAbsolutePath() : serial);
        }
        config.put(ConfigEntry.singleton(MachineConfig.MACHINE_PID, p));
        if (keymap != null) {
            config.put(ConfigEntry.singleton(KEYBOARD_PID, Map.of("keymap", keymap)));
        }
        if (gdbPort != null) {
            config.put(ConfigEntry.singleton(GDB_PID, Map.of("port", Integer.toString(gdbPort), "host", gdbHost,
                    "wait.at.start", Boolean.toString(gdbWait))));
        }
        String machineName = p.getOrDefault("name", "pc");
        if (vncPort != null) {
            config.put(ConfigEntry.singleton(VNC_PID, Map.of("host", vncHost, "port", Integer.toString(vncPort),
                    "name", "ALOS/J (" + machineName + ")")));
        }
        if (displayWindow) {
            config.put(ConfigEntry.singleton(WINDOW_PID, Map.of("title", "ALOS/J (" + machineName + ")")));
        }
    }

    static final String GDB_PID = "org.alosj.gdb";
    static final String KEYBOARD_PID = "org.alosj.keyboard";
    static final String VNC_PID = "org.alosj.vnc";
    static final String WINDOW_PID = "org.alosj.display.window";
}
