package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage();
    }

    @Test
    void unknown_flags_are_refused_in_one_line() {
        assertEquals("unknown option '-frobnicate' (try --help)", error("-frobnicate"));
        assertEquals("option -m needs a value (try --help)", error("-m"));
    }

    @Test
    void append_makes_a_drive_the_root_file_system_as_kernel_parameters_do(@TempDir Path tmp) throws Exception {
        assertEquals(Map.of("root", "hda", "rootfstype", "ext2"), CommandLine.parseAppend("root=/dev/hda"));
        assertEquals(Map.of("root", "hdb1", "rootfstype", "ext2", "rootflags", "ro"),
                CommandLine.parseAppend(" root=hdb1  rootfstype=ext2 ro "));
        assertTrue(error("-append", "root=/dev/sda").startsWith("-append: root=/dev/sda: expected an IDE disk"));
        assertTrue(error("-append", "quiet").startsWith("-append: unknown parameter 'quiet'"));
        assertTrue(error("-append", "ro").contains("needs root=/dev/hdX"));
        Path img = tmp.resolve("a.img");
        Files.write(img, new byte[4096]);
        CommandLine cl = CommandLine.parse(new String[] {"-drive", "file=" + img, "-append", "root=/dev/hda"});
        MachineConfig config = new MachineConfig();
        cl.applyTo(config);
        ConfigEntry vfs = config.entries().stream().filter(e -> MachineConfig.VFS_PID.equals(e.pid())).findFirst()
                .orElseThrow();
        assertEquals("hda", vfs.properties().get("root"), "-drive alone attaches; -append mounts it on /");
    }

    @Test
    void ram_sizes_take_qemu_suffixes_and_stay_in_range() throws UsageException {
        assertEquals(512, CommandLine.parseRam("512"));
        assertEquals(512, CommandLine.parseRam("512M"));
        assertEquals(2048, CommandLine.parseRam("2G"));
        assertTrue(error("-m", "lots").startsWith("-m: bad size 'lots'"));
        assertTrue(error("-m", "4").contains("out of range"));
    }

    @Test
    void malformed_device_options_name_the_culprit() {
        assertEquals("-device: unknown device 'ne2k' (known: VGA, bochs-display, e1000, e1000e, pcnet, virtio-blk-pci, virtio-net-pci)",
                error("-device", "ne2k"));
        assertTrue(error("-device", "pcnet,speed=10").startsWith("-device pcnet: unknown option 'speed'"));
        assertTrue(error("-device", "pcnet,mac").contains("bad option 'mac': expected key=value"));
        assertTrue(error("-device", "pcnet,addr=1").contains("slots 0 and 1 hold the host and ISA bridges"));
        assertTrue(error("-device", "pcnet,addr=zz").contains("bad addr 'zz'"));
    }

    @Test
    void a_bad_mac_is_refused_with_the_expected_form() {
        assertTrue(error("-device", "pcnet,mac=52:54:00:12:34").contains(
                "bad MAC '52:54:00:12:34': expected six hex bytes separated by colons"));
        assertTrue(error("-device", "pcnet,mac=01:00:5e:00:00:01").contains("multicast"));
    }

    @Test
    void netdev_references_must_exist() {
        assertEquals("-device pcnet0: no -netdev with id=n9",
                error("-netdev", "hub,id=n0", "-device", "pcnet,netdev=n9"));
        assertEquals("-netdev pcap: needs file=PATH", error("-netdev", "pcap,id=p0"));
        assertEquals("-netdev: unknown backend 'tap' (known: hub, pcap, passt, udp, fault)", error("-netdev", "tap,id=t0"));
    }

    @Test
    void devices_on_the_command_line_replace_those_of_conf(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("org.alosj.machine.cfg"), "ram.mib=256\nserial=file:${alos.run}/s.log\n");
        Files.writeString(conf.resolve("org.alosj.hw.pcnet-pcnet0.cfg"), "mac=52:54:00:12:34:56\nnetdev=lan0\n");
        Files.writeString(conf.resolve("org.alosj.netdev.hub-lan0.cfg"), "id=lan0\n");
        MachineConfig config = MachineConfig.fromDirectory(conf, Map.of("alos.run", "/r", "alos.home", "/h"));
        CommandLine cl = CommandLine.parse(new String[] {"-m", "1G", "-netdev", "hub,id=h1",
            "-device", "pcnet,netdev=h1,mac=52:54:00:00:00:01,addr=5"});
        cl.applyTo(config);
        var entries = config.entries();
        assertEquals(4, entries.size(), entries.toString()); // machine, IDE controller, NIC, hub
        ConfigEntry machine = config.machine();
        assertEquals("1024", machine.properties().get("ram.mib"));
        assertEquals("file:/r/s.log", machine.properties().get("serial"));
        ConfigEntry nic = entries.stream().filter(e -> "org.alosj.hw.pcnet".equals(e.factoryPid())).findFirst().get();
        assertEquals("(netdev.id=h1)", nic.properties().get("backend.target"));
        assertEquals("5", nic.properties().get("addr"));
        assertFalse(entries.stream().anyMatch(e -> "lan0".equals(e.name())));
    }

    @Test
    void e1000_and_e1000e_devices_take_pcnets_options_and_their_own_factories() throws Exception {
        MachineConfig config = new MachineConfig();
        CommandLine cl = CommandLine.parse(new String[] {"-netdev", "hub,id=h1",
            "-device", "e1000,netdev=h1,mac=52:54:00:00:00:01,addr=0x5",
            "-device", "e1000e,netdev=h1,addr=06.0,id=lan"});
        cl.applyTo(config);
        ConfigEntry e1000 = config.entries().stream().filter(e -> "org.alosj.hw.e1000".equals(e.factoryPid()))
                .findFirst().get();
        assertEquals("e1000-0", e1000.name());
        assertEquals("5", e1000.properties().get("addr"));
        assertEquals("52:54:00:00:00:01", e1000.properties().get("mac"));
        assertEquals("(netdev.id=h1)", e1000.properties().get("backend.target"));
        ConfigEntry e1000e = config.entries().stream().filter(e -> "org.alosj.hw.e1000e".equals(e.factoryPid()))
                .findFirst().get();
        assertEquals("lan", e1000e.name());
        assertEquals("6", e1000e.properties().get("addr"));
        assertEquals("52:54:00:12:34:57", e1000e.properties().get("mac"), "QEMU's default plus the device's index");
        assertTrue(error("-device", "e1000e,mac=01:00:5e:00:00:01").contains("multicast"));
        assertTrue(error("-device", "e1000,addr=1").contains("slots 0 and 1"));
    }

    @Test
    void nic_is_a_netdev_and_a_device_on_it() throws Exception {
        MachineConfig config = new MachineConfig();
        CommandLine cl = CommandLine.parse(new String[] {"-nic", "hub,model=e1000e,mac=52:54:00:00:00:09",
            "-nic", "udp,local=:5555,remote=127.0.0.1:5556"});
        cl.applyTo(config);
        var entries = config.entries();
        ConfigEntry hub = entries.stream().filter(e -> "org.alosj.netdev.hub".equals(e.factoryPid())).findFirst().get();
        assertEquals("nic0", hub.properties().get("id"));
        ConfigEntry first = entries.stream().filter(e -> "org.alosj.hw.e1000e".equals(e.factoryPid())).findFirst().get();
        assertEquals("(netdev.id=nic0)", first.properties().get("backend.target"));
        assertEquals("52:54:00:00:00:09", first.properties().get("mac"));
        ConfigEntry second = entries.stream().filter(e -> "org.alosj.hw.e1000".equals(e.factoryPid())).findFirst().get();
        assertEquals("(netdev.id=nic1)", second.properties().get("backend.target"), "model e1000 by default, as QEMU's pc");
        assertTrue(error("-nic", "hub,model=rtl8139").contains("unknown model 'rtl8139'"));
        assertTrue(error("-nic", "hub,id=x").contains("made up by -nic"));
        assertEquals("-nic: unknown backend 'tap' (known: hub, pcap, passt, udp, fault)", error("-nic", "tap"));
    }

    @Test
    void nic_none_removes_the_default_nic_and_its_netdev(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("org.alosj.hw.pcnet-pcnet0.cfg"), "mac=52:54:00:12:34:56\nnetdev=lan0\n");
        Files.writeString(conf.resolve("org.alosj.netdev.hub-lan0.cfg"), "id=lan0\n");
        MachineConfig config = MachineConfig.fromDirectory(conf, Map.of());
        CommandLine.parse(new String[] {"-nic", "none"}).applyTo(config);
        assertFalse(config.entries().stream().anyMatch(e -> e.isFactory()), config.entries().toString());
    }

    @Test
    void conf_files_with_unknown_variables_are_refused(@TempDir Path conf) throws IOException {
        Files.writeString(conf.resolve("org.alosj.machine.cfg"), "serial=file:${nowhere}/s.log\n");
        UsageException e = assertThrows(UsageException.class, () -> MachineConfig.fromDirectory(conf, Map.of()));
        assertTrue(e.getMessage().contains("unknown variable ${nowhere}"));
    }

    @Test
    void main_exits_2_with_one_line_for_a_bad_flag() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-device", "pcnet,mac=zz"}, new PrintStream(out), new PrintStream(err));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("alos: -device pcnet: bad MAC 'zz'"), text);
    }

    @Test
    void k_selects_the_keymap_by_qemus_names(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("org.alosj.keyboard.cfg"), "keymap=us\n");
        MachineConfig config = MachineConfig.fromDirectory(conf, Map.of());
        CommandLine.parse(new String[] {"-k", "fr"}).applyTo(config);
        ConfigEntry keyboard = config.entries().stream().filter(e -> "org.alosj.keyboard".equals(e.pid()))
                .findFirst().get();
        assertEquals("fr", keyboard.properties().get("keymap"));
        MachineConfig us = new MachineConfig();
        CommandLine.parse(new String[] {"-k", "en-us"}).applyTo(us);
        assertEquals("us", us.entries().stream().filter(e -> "org.alosj.keyboard".equals(e.pid()))
                .findFirst().get().properties().get("keymap"));
        assertEquals("-k: unknown keyboard layout 'de' (us, fr)", error("-k", "de"));
    }

    @Test
    void help_lists_every_flag() {
        for (String flag : new String[] {"-m ", "-device pcnet", "-device virtio-net-pci", "-device virtio-blk-pci",
                "if=virtio", "if=none,id=ID", "-netdev hub", "-netdev pcap", "-drive file=", "-c ", "-serial", "-k ", "--help"}) {
            assertTrue(CommandLine.USAGE.contains(flag), flag);
        }
    }

    @Test
    void drives_take_qemus_options_and_go_to_the_ide_controllers_configuration(@TempDir Path dir) throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        Path b = Files.write(dir.resolve("b.img"), new byte[4096]);
        Path c = Files.write(dir.resolve("c.img"), new byte[4096]);
        Files.writeString(dir.resolve("org.alosj.hw.ata.cfg"), "drive.1.file=/old.img\n");
        MachineConfig config = MachineConfig.fromDirectory(dir, Map.of());
        CommandLine cl = CommandLine.parse(new String[] {"-drive", "file=" + a, "-drive",
            "file=" + b + ",if=ide,index=3,readonly=on,format=raw", "-drive", "file=" + c});
        cl.applyTo(config);
        Map<String, String> p = config.ata().properties();
        assertEquals(a.toString(), p.get("drive.0.file"));
        assertEquals("false", p.get("drive.0.readonly"));
        assertEquals(c.toString(), p.get("drive.1.file"), "the first free index after 0");
        assertEquals(b.toString(), p.get("drive.3.file"));
        assertEquals("true", p.get("drive.3.readonly"));
        assertFalse(p.containsValue("/old.img"), "-drive replaces the drives of conf/");
    }

    @Test
    void bad_drives_are_refused_in_one_line(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        assertTrue(error("-drive", "file=" + dir.resolve("none.img")).endsWith("none.img does not exist"));
        assertTrue(error("-drive", "file=" + dir).endsWith("is not a regular file"));
        assertTrue(error("-drive", "file=" + tiny).endsWith("is smaller than one 512-byte sector"));
        assertEquals("-drive: unknown option 'cache' (known: file, if, index, readonly, format, media, id)",
                error("-drive", "file=" + a + ",cache=none"));
        assertTrue(error("-drive", "file=" + a + ",index=4").contains("bad index=4: expected 0-3"));
        assertTrue(error("-drive", "file=" + a + ",index=x").contains("bad index=x"));
        assertTrue(error("-drive", "file=" + a + ",if=scsi").contains("unsupported if=scsi (known: ide, virtio, none)"));
        assertTrue(error("-drive", "file=" + a + ",if=none").contains("if=none needs id=ID"));
        assertTrue(error("-drive", "file=" + a + ",if=virtio,index=1").contains("index= is for if=ide only"));
        assertTrue(error("-drive", "file=" + a + ",format=qcow2").contains("unsupported format=qcow2 (known: raw)"));
        assertTrue(error("-drive", "file=" + a + ",readonly=maybe").contains("bad readonly=maybe"));
        assertTrue(error("-drive", "if=ide").contains("needs file=PATH"));
        assertTrue(error("-drive", "file=" + a + ",index=2", "-drive", "file=" + a + ",index=2")
                .contains("index=2 is already used by " + a));
        assertTrue(error("-drive", "file=" + a, "-drive", "file=" + a, "-drive", "file=" + a, "-drive", "file=" + a,
                "-drive", "file=" + a).contains("all four IDE positions are taken"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-drive", "file=" + dir.resolve("none.img")},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(2, status);
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void virtio_drives_become_virtio_blk_functions_and_replace_the_default_disk(@TempDir Path dir) throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        Path b = Files.write(dir.resolve("b.img"), new byte[4096]);
        Files.writeString(dir.resolve("org.alosj.hw.ata.cfg"), "drive.0.file=/default.img\n");
        Files.writeString(dir.resolve("org.alosj.vfs.cfg"), "root=hda\n");
        Files.writeString(dir.resolve("org.alosj.hw.pcnet-pcnet0.cfg"), "mac=52:54:00:12:34:56\n");
        MachineConfig config = MachineConfig.fromDirectory(dir, Map.of());
        CommandLine cl = CommandLine.parse(new String[] {"-device", "virtio-blk-pci,drive=d1,addr=9,disable-legacy=on,serial=S1",
            "-drive", "file=" + a + ",if=virtio", "-drive", "file=" + b + ",if=none,id=d1,readonly=on"});
        cl.applyTo(config);
        Map<String, Map<String, String>> blk = new java.util.TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            if (MachineConfig.VIRTIO_BLK_FACTORY.equals(e.factoryPid())) {
                blk.put(e.name(), e.properties());
            }
        }
        assertEquals(2, blk.size(), blk.toString());
        assertEquals(a.toString(), blk.get("virtio-blk0").get("file"));
        assertEquals("transitional", blk.get("virtio-blk0").get("mode"));
        assertEquals(b.toString(), blk.get("virtio-blk1").get("file"));
        assertEquals("true", blk.get("virtio-blk1").get("readonly"));
        assertEquals("modern", blk.get("virtio-blk1").get("mode"));
        assertEquals("9", blk.get("virtio-blk1").get("addr"));
        assertEquals("S1", blk.get("virtio-blk1").get("serial"));
        assertFalse(config.ata().properties().containsKey("drive.0.file"), "the default disk goes");
        assertTrue(config.entries().stream().noneMatch(e -> MachineConfig.VFS_PID.equals(e.pid())), "nothing mounted on /");
        assertTrue(config.entries().stream().anyMatch(e -> MachineConfig.PCNET_FACTORY.equals(e.factoryPid())),
                "a disk does not replace the default NIC");
    }

    @Test
    void virtio_net_takes_qemus_properties_and_replaces_the_default_nic(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("org.alosj.hw.pcnet-pcnet0.cfg"), "mac=52:54:00:12:34:56\n");
        MachineConfig config = MachineConfig.fromDirectory(dir, Map.of());
        CommandLine cl = CommandLine.parse(new String[] {"-netdev", "hub,id=n0", "-device",
            "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:05,addr=05.0,disable-legacy=on,host_mtu=9000", "-device", "virtio-net-pci,netdev=n0"});
        cl.applyTo(config);
        List<ConfigEntry> nics = config.entries().stream().filter(e -> MachineConfig.isNic(e.factoryPid())).toList();
        assertEquals(2, nics.size(), nics.toString());
        Map<String, String> first = nics.stream().filter(e -> e.name().equals("virtio-net0")).findFirst().orElseThrow().properties();
        assertEquals("modern", first.get("mode"));
        assertEquals("5", first.get("addr"));
        assertEquals("(netdev.id=n0)", first.get("backend.target"));
        assertEquals("9000", first.get("host_mtu"));
        Map<String, String> second = nics.stream().filter(e -> e.name().equals("virtio-net1")).findFirst().orElseThrow().properties();
        assertEquals("transitional", second.get("mode"));
        assertEquals("52:54:00:12:34:57", second.get("mac"), "QEMU's default MAC plus the NIC's number");
        assertEquals(null, second.get("host_mtu"), "no host_mtu, no VIRTIO_NET_F_MTU (QEMU's default)");
    }

    @Test
    void bad_virtio_devices_are_refused_in_one_line(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        assertTrue(error("-device", "virtio-blk-pci").contains("needs drive=ID"));
        assertTrue(error("-device", "virtio-blk-pci,drive=x").contains("no -drive with if=none,id=x"));
        assertTrue(error("-drive", "file=" + a + ",if=none,id=d", "-device", "virtio-blk-pci,drive=d", "-device",
                "virtio-blk-pci,drive=d").contains("drive d is already used"));
        assertTrue(error("-device", "virtio-net-pci,disable-legacy=on,disable-modern=on").contains("leave no interface"));
        assertTrue(error("-device", "virtio-net-pci,disable-legacy=maybe").contains("bad disable-legacy=maybe"));
        assertTrue(error("-device", "virtio-net-pci,mac=zz").contains("bad MAC 'zz'"));
        assertTrue(error("-device", "virtio-net-pci,host_mtu=67").contains("bad host_mtu=67: expected 68-65535"));
        assertTrue(error("-device", "virtio-net-pci,host_mtu=jumbo").contains("bad host_mtu=jumbo"));
        assertTrue(error("-device", "e1000x").contains("known: VGA, bochs-display, e1000, e1000e, pcnet, virtio-blk-pci, virtio-net-pci"));
    }

    @Test
    void vga_std_and_bochs_display_become_display_configurations_with_qemus_names() throws UsageException {
        CommandLine cl = CommandLine.parse(new String[] {"-vga", "std", "-device", "bochs-display,id=second,addr=6,vgamem=32M"});
        Map<String, Map<String, String>> displays = new java.util.TreeMap<>();
        for (ConfigEntry e : cl.devices) {
            if (MachineConfig.DISPLAY_FACTORY.equals(e.factoryPid())) {
                displays.put(e.name(), e.properties());
            }
        }
        assertEquals(Map.of("type", "std", "name", "vga", "id", "vga", "vgamem_mb", "16"), displays.get("vga"));
        assertEquals(Map.of("type", "bochs-display", "name", "second", "id", "second", "vgamem_mb", "32", "addr", "6"),
                displays.get("second"));
        assertTrue(CommandLine.parse(new String[] {"-vga", "std", "-vga", "none"}).devices.isEmpty(), "-vga none: no display");
        assertTrue(CommandLine.parse(new String[] {"-vga", "none"}).noVga, "nor one from conf/");
        assertEquals("-vga: unsupported type 'cirrus' (known: std, none)", error("-vga", "cirrus"));
        assertEquals("-device bochs-display: video memory must be a power of two from 4M to 256M, got 24M",
                error("-device", "bochs-display,vgamem=24M"));
        assertTrue(error("-device", "bochs-display,edid=on").startsWith("-device bochs-display: unknown option 'edid'"));
    }
}
