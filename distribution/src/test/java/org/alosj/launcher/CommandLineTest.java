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
    void ram_sizes_take_qemu_suffixes_and_stay_in_range() throws UsageException {
        assertEquals(512, CommandLine.parseRam("512"));
        assertEquals(512, CommandLine.parseRam("512M"));
        assertEquals(2048, CommandLine.parseRam("2G"));
        assertTrue(error("-m", "lots").startsWith("-m: bad size 'lots'"));
        assertTrue(error("-m", "4").contains("out of range"));
    }

    @Test
    void malformed_device_options_name_the_culprit() {
        assertEquals("-device: unknown device 'ne2k' (known: pcnet)", error("-device", "ne2k"));
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
        assertEquals(3, entries.size(), entries.toString());
        ConfigEntry machine = config.machine();
        assertEquals("1024", machine.properties().get("ram.mib"));
        assertEquals("file:/r/s.log", machine.properties().get("serial"));
        ConfigEntry nic = entries.stream().filter(e -> "org.alosj.hw.pcnet".equals(e.factoryPid())).findFirst().get();
        assertEquals("(netdev.id=h1)", nic.properties().get("backend.target"));
        assertEquals("5", nic.properties().get("addr"));
        assertFalse(entries.stream().anyMatch(e -> "lan0".equals(e.name())));
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
    void help_lists_every_flag() {
        for (String flag : new String[] {"-m ", "-device pcnet", "-netdev hub", "-netdev pcap", "-c ", "-serial", "--help"}) {
            assertTrue(CommandLine.USAGE.contains(flag), flag);
        }
    }
}
