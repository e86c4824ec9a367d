package org.alosj.itests;

import org.alosj.testkit.RealPeers;
import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user runs it: the launcher in its own JVM, flags and {@code -c}
 * scripts, checked against the real lspci and tshark.
 */
class DistributionTest {
    static Path dist;
    @TempDir
    Path tmp;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    Result alos(String... args) throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        if (!cmd.contains("-netdev") && !cmd.contains("-nodefaults") && !cmd.contains("--help")) {
            // The distribution's default lan0 is passt; tests never start passt in the machine's
            // own network namespace (NetdevDistributionTest runs it in namespaces of its own).
            cmd.addAll(List.of("-netdev", "hub,id=lan0"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(Files.createDirectories(tmp.resolve("cwd")).toFile()); // a user's directory: must stay as it was
        return AlosProcess.run(pb, 120, "alos " + String.join(" ", args));
    }

    static String run(String... command) throws Exception {
        return PciBindingIT.run(command);
    }

    @Test
    void lspci_lists_the_chipset_and_the_pcnet_with_pci_ids_names() throws Exception {
        Result r = alos("-c", "lspci");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("00:00.0 Host bridge: Intel Corporation 440FX - 82441FX PMC [Natoma] (rev 02)"), r.out());
        assertTrue(r.out().contains("00:01.0 ISA bridge: Intel Corporation 82371SB PIIX3 ISA [Natoma/Triton II]"), r.out());
        assertTrue(r.out().contains(
                "00:02.0 Ethernet controller: Advanced Micro Devices, Inc. [AMD] 79c970 [PCnet32 LANCE] (rev 10)"), r.out());
        assertTrue(r.err().matches("(?s).*ALOS/J booted in \\d+ ms.*"), r.err());
    }

    @Test
    void real_lspci_decodes_our_config_space_dump_the_same_way() throws Exception {
        Result r = alos("-c", "lspci -xxx");
        assertEquals(0, r.status(), r.err());
        Path dump = tmp.resolve("dump.txt");
        Files.writeString(dump, r.out());
        String numeric = run("lspci", "-F", dump.toString(), "-nn");
        assertTrue(numeric.contains("00:00.0 Host bridge [0600]: Intel Corporation 440FX - 82441FX PMC [Natoma] [8086:1237] (rev 02)"), numeric);
        assertTrue(numeric.contains("00:01.0 ISA bridge [0601]"), numeric);
        assertTrue(numeric.contains("[1022:2000] (rev 10)"), numeric);
        String verbose = run("lspci", "-F", dump.toString(), "-v", "-s", "00:02.0");
        assertTrue(verbose.contains("Interrupt: pin A routed to IRQ 10") || verbose.contains("IRQ 10"), verbose);
        assertTrue(Pattern.compile("I/O ports at c[0-9a-f]{3}").matcher(verbose).find(), verbose);
        assertTrue(verbose.contains("Memory at"), verbose);
        assertTrue(verbose.contains("Expansion ROM at"), verbose);
        Result ours = alos("-c", "lspci -v -s 02.0");
        assertTrue(ours.out().contains("Interrupt: pin A routed to IRQ 10") || ours.out().contains("IRQ 10"), ours.out());
    }

    @Test
    void the_driver_goes_with_its_bundle_and_comes_back_with_it() throws Exception {
        Result lb = alos("-c", "lb");
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\|Active.*pcnet32").matcher(lb.out());
        assertTrue(m.find(), "lb names the driver bundle: " + lb.out());
        String id = m.group(1);
        // The next install gets the next id after the highest one lb shows.
        int nextId = Pattern.compile("(?m)^\\s*(\\d+)\\|").matcher(lb.out()).results()
                .mapToInt(r -> Integer.parseInt(r.group(1))).max().orElseThrow() + 1;
        String jar = dist.resolve("bundles/drivers-pcnet.jar").toUri().toString();
        Result r = alos("-c", "lspci -k; uninstall " + id + "; echo @@@; lspci -k; install " + jar
                + "; echo @@@; start " + nextId + "; lspci -k");
        assertEquals(0, r.status(), r.err());
        String[] parts = r.out().split("@@@");
        assertEquals(3, parts.length, r.out());
        assertTrue(parts[0].contains("Kernel driver in use: pcnet32"), parts[0]);
        assertFalse(parts[1].contains("Kernel driver in use: pcnet32"), parts[1]);
        assertTrue(parts[2].contains("Kernel driver in use: pcnet32"), parts[2]);
        assertEquals(id, Pattern.compile("(?m)^\\s*(\\d+)\\|Active.*pcnet32").matcher(alos("-c", "lb").out())
                .results().findFirst().orElseThrow().group(1), "bundle ids are the same on every boot");
    }

    @Test
    void a_frame_the_driver_sends_is_in_the_pcap_for_tshark() throws Exception {
        Path pcap = tmp.resolve("eth.pcap");
        Result r = alos("-netdev", "pcap,id=cap,file=" + pcap, "-device", "pcnet,netdev=cap",
                "-c", "ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 hello-pcap");
        assertEquals(0, r.status(), r.out() + r.err());
        String fields = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "eth.src", "-e", "eth.dst",
                "-e", "eth.type");
        assertTrue(fields.contains("52:54:00:12:34:56\tff:ff:ff:ff:ff:ff\t0x88b5"), fields);
    }

    @Test
    void bad_input_gets_one_clear_line_and_a_nonzero_status() throws Exception {
        Result flag = alos("-bogus");
        assertEquals(2, flag.status());
        assertEquals("alos: unknown option '-bogus' (try --help)", flag.err().strip());
        Result mac = alos("-device", "pcnet,mac=12:34");
        assertEquals(2, mac.status());
        assertTrue(mac.err().strip().startsWith("alos: -device pcnet: bad MAC '12:34'"), mac.err());
        assertEquals(1, mac.err().strip().lines().count());
        Result device = alos("-device", "pcnet,netdev");
        assertEquals(2, device.status());
        Result cmd = alos("-c", "nosuchcommand");
        assertEquals(1, cmd.status());
        assertTrue(cmd.err().contains("alos: command not found: nosuchcommand"), cmd.err());
        Result ids = alos("-c", "lspci -i " + tmp.resolve("missing.ids"));
        assertEquals(1, ids.status());
        assertTrue(ids.err().contains("lspci:") && ids.err().contains("missing.ids"), ids.err());
    }

    @Test
    void help_lists_the_commands_of_every_bundle_in_the_alos_scope() throws Exception {
        Result r = alos("-c", "help");
        assertEquals(0, r.status(), r.err());
        for (String command : new String[] {"lspci", "devices", "bind", "unbind", "meminfo", "dmesg", "date", "clear", "help"}) {
            assertTrue(Pattern.compile("(?m)^\\s*" + command + "\\b").matcher(r.out()).find(), command + " in:\n" + r.out());
        }
        Result one = alos("-c", "help lspci");
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().contains("-nn"), one.out());
    }

    @Test
    void a_run_leaves_the_users_current_directory_as_it_was() throws Exception {
        Result r = alos("-c", "lspci; help; ls /");
        assertEquals(0, r.status(), r.err());
        try (var left = Files.list(tmp.resolve("cwd"))) {
            assertEquals(List.of(), left.map(Path::getFileName).map(Path::toString).toList(),
                    "files the run wrote into the directory it was started from");
        }
    }

    @Test
    void commands_piped_to_the_console_run_one_by_one() throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.add("-nodefaults");
        Result r = AlosProcess.run(new ProcessBuilder(cmd), "echo piped-marker\nlspci -n\n".getBytes(), 120,
                "alos with commands on stdin");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("piped-marker"), r.out());
        assertTrue(r.out().contains("8086:1237"), r.out());
        assertFalse(r.err().contains("WARNING"), "no terminal is the expected case, not a warning: " + r.err());
    }

    /**
     * The interactive console on a pseudo-terminal with no size (script(1) from a pipe), where
     * JLine 3.21 looped forever in its line redisplay: JLine must find a real terminal (its line
     * editor turns on bracketed paste) and run what is typed.
     */
    @Test
    void the_console_edits_lines_on_a_terminal_even_one_with_no_size() throws Exception {
        RealPeers.require(onPath("script"), "script(1) from util-linux is not installed (CI installs it)");
        Result r = onPseudoTerminal("echo tty-marker\rstop 0\r", "-nodefaults");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("tty-marker\r\n"), "the command's output: " + r.out());
        assertTrue(r.out().contains("\u001b[?2004h"), "JLine's line editor on a real terminal: " + r.out());
    }

    @Test
    void what_is_typed_at_the_console_is_in_the_disks_history_next_boot() throws Exception {
        RealPeers.require(onPath("script"), "script(1) from util-linux is not installed (CI installs it)");
        Result typed = onPseudoTerminal("echo history-marker\rstop 0\r", "-netdev", "hub,id=lan0");
        assertEquals(0, typed.status(), typed.out() + typed.err());
        Result next = alos("--keep-disk", "-c", "cat /system/history");
        assertEquals(0, next.status(), next.err());
        assertTrue(next.out().contains("echo history-marker"), next.out());
    }

    /** ./alos under script(1): its console on a pseudo-terminal, {@code typed} as keystrokes. */
    Result onPseudoTerminal(String typed, String... args) throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        StringBuilder line = new StringBuilder();
        for (String arg : cmd) {
            line.append(line.length() == 0 ? "" : " ").append("'").append(arg.replace("'", "'\\''")).append("'");
        }
        return AlosProcess.run(new ProcessBuilder("script", "-qfec", line.toString(), "/dev/null"), typed.getBytes(),
                120, "alos on a pseudo-terminal");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void help_prints_usage_and_exits_0() throws Exception {
        Result r = alos("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("usage: alos"), r.out());
    }
}
