package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alosj.itests.AlosProcess.Result;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console a person lives in, on the real launcher: Ctrl-C on a real terminal, power-off and
 * reboot through the emulated PIIX4, /config/startup.sh at boot, {@code -c} as {@code sh -c},
 * one-line errors and {@code --help}.
 */
class ConsoleDistributionTest {
    static Path dist;
    @TempDir
    Path tmp;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    List<String> launcher(String... args) {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        if (!cmd.contains("-netdev") && !cmd.contains("-nodefaults")) {
            cmd.addAll(List.of("-netdev", "hub,id=lan0")); // never passt in the machine's own namespace
        }
        return cmd;
    }

    Result alos(String... args) throws Exception {
        return AlosProcess.run(new ProcessBuilder(launcher(args)), 120, "alos " + String.join(" ", args));
    }

    Result alosWithInput(String input, String... args) throws Exception {
        return AlosProcess.run(new ProcessBuilder(launcher(args)), input.getBytes(), 180, "alos with input");
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Ctrl-C on cat /dev/zero at a real terminal, then a command whose output must appear. */
    void interruptAPrintingCommand(PtyConsole console) throws Exception {
        assertTrue(console.await("alos:/> ", 0, 60), "a prompt: " + console.screen());
        console.type("cat /dev/zero\r");
        int start = console.length();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (console.length() - start < 256 * 1024 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(console.length() - start >= 256 * 1024, "cat /dev/zero prints");
        console.type("\u0003");
        assertTrue(console.await("alos:/> ", start, 20), "the prompt after Ctrl-C");
        int mark = console.length();
        console.type("echo still \"here\"\r");
        assertTrue(console.await("still here", mark, 20), "the console's output after Ctrl-C: "
                + console.screen().substring(Math.max(0, console.screen().length() - 500)));
    }

    @Test
    void ctrl_c_interrupts_a_printing_command_and_the_console_keeps_its_output() throws Exception {
        RealPeers.requireTool("script", "util-linux");
        try (PtyConsole console = new PtyConsole(launcher())) {
            interruptAPrintingCommand(console);
            console.type("ls /nonexist\r");
            assertTrue(console.await("ls: cannot access '/nonexist': No such file or directory", 0, 20), console.screen());
            int mark = console.length();
            console.type("cat /ww\t");             // completes the machine's path: /www/
            assertTrue(console.await("/www/", mark, 20), "a directory completes with its '/': " + console.screen());
            console.type("ind\t\r");               // and a file in it
            assertTrue(console.await("<h1>ALOS/J</h1>", mark, 20), "cat /www/index.html ran: " + console.screen());
            console.type("exit\r");
            assertEquals(0, console.waitFor(60), "exit leaves the console and alos ends with 0");
            assertFalse(console.screen().contains("Exception"), console.screen());
        }
    }

    /**
     * A shell command reading the console's keys (cat without a file) edits its line as a tty
     * does, ends at Ctrl-D, and once Ctrl-C ends it, leaves the next key typed to the prompt.
     */
    @Test
    void a_command_reading_keys_edits_lines_and_ctrl_c_leaves_the_next_key_to_the_prompt() throws Exception {
        RealPeers.requireTool("script", "util-linux");
        try (PtyConsole console = new PtyConsole(launcher())) {
            assertTrue(console.await("alos:/> ", 0, 60), "a prompt: " + console.screen());
            int mark = console.length();
            console.type("cat\r");
            Thread.sleep(500);
            console.type("xy\u007fz\r");
            assertTrue(console.await("xz\r\n", mark, 20), "Backspace erased y, cat printed the line: " + console.screen());
            console.type("\u0004");
            assertTrue(console.await("alos:/> ", mark, 20), "Ctrl-D ended cat: " + console.screen());
            mark = console.length();
            console.type("cat\r");
            Thread.sleep(500);
            console.type("\u0003");
            assertTrue(console.await("alos:/> ", mark, 20), "the prompt after Ctrl-C: " + console.screen());
            mark = console.length();
            console.type("echo still \"here\"\r");
            assertTrue(console.await("still here", mark, 20), "the first key after Ctrl-C reached the prompt: "
                    + console.screen().substring(Math.max(0, console.screen().length() - 300)));
            console.type("exit\r");
            assertEquals(0, console.waitFor(60));
        }
    }

    @Test
    void ctrl_c_during_dash_c_ends_the_script_with_130_as_sh_c() throws Exception {
        RealPeers.requireTool("script", "util-linux");
        try (PtyConsole console = new PtyConsole(launcher("-c", "echo sleeping; sleep 30; echo not-after"))) {
            assertTrue(console.await("sleeping", 0, 60), console.screen());
            Thread.sleep(300);
            long started = System.nanoTime();
            console.type("\u0003");
            assertEquals(130, console.waitFor(20), console.screen());
            assertTrue(System.nanoTime() - started < 15_000_000_000L, "not the 30 s of the sleep");
            assertFalse(console.screen().contains("not-after"), console.screen());
        }
    }

    @Test
    void ctrl_c_at_the_console_does_not_reach_passt() throws Exception {
        RealPeers.require(RealPeers.root(), "network namespaces need root (CI runs as root)");
        RealPeers.requireTool("passt", "Debian package passt");
        RealPeers.requireTool("ip", "iproute2");
        RealPeers.requireTool("script", "util-linux");
        String ns = NetdevDistributionTest.createNamespace();
        try (PtyConsole console = new PtyConsole(launcher("-netdev", "passt,id=n0,netns=" + ns,
                "-device", "pcnet,netdev=n0"))) {
            assertTrue(console.await("alos:/> ", 0, 60), console.screen());
            List<Long> before = passtPids(console);
            assertEquals(1, before.size(), "one passt under the launcher");
            interruptAPrintingCommand(console);
            assertEquals(before, passtPids(console), "passt's pid after Ctrl-C");
            assertTrue(ProcessHandle.of(before.get(0)).map(ProcessHandle::isAlive).orElse(false));
            console.type("poweroff\r");
            assertEquals(0, console.waitFor(60));
        } finally {
            NetdevDistributionTest.deleteNamespace(ns);
        }
    }

    static List<Long> passtPids(PtyConsole console) throws InterruptedException {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 200 && pids.isEmpty(); i++) {
            ProcessHandle.of(console.pid()).ifPresent(p -> p.descendants()
                    .filter(d -> d.info().command().map(c -> c.matches(".*/passt(\\.\\w+)?")).orElse(false)) // passt.avx2 too
                    .forEach(d -> pids.add(d.pid())));
            if (pids.isEmpty()) {
                Thread.sleep(50);
            }
        }
        return pids;
    }

    @Test
    void poweroff_syncs_unmounts_and_exits_0_with_the_disk_clean() throws Exception {
        RealPeers.requireTool("e2fsck", "e2fsprogs");
        RealPeers.requireTool("debugfs", "e2fsprogs");
        Result r = alos("-c", "write /www/powered off-marker; poweroff; echo not-after-poweroff");
        assertEquals(0, r.status(), r.err());
        assertFalse(r.out().contains("not-after-poweroff"), r.out());
        Path disk = tmp.resolve("run/disk.img");
        String fsck = HostCommands.statusAndOutput("e2fsck", "-fn", disk.toString());
        assertTrue(fsck.startsWith("0\n") && !fsck.contains("Fix? no"), fsck);
        String file = HostCommands.statusAndOutput("debugfs", "-R", "cat /www/powered", disk.toString());
        assertTrue(file.contains("off-marker"), file);
        String log = Files.readString(tmp.resolve("run/alosj.log"));
        assertTrue(log.indexOf("unmounted /dev/hda from /") < log.indexOf("entering S5"),
                "the disk is unmounted before the power goes:\n" + log);
    }

    @Test
    void reboot_resets_the_board_and_the_machine_boots_again_in_the_same_process() throws Exception {
        Result r = alosWithInput("echo first-boot\nwrite /www/kept across-reboot\nreboot\ncat /www/kept\n");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, count(r.err(), "ALOS/J booted in \\d+ ms"), r.err());
        assertTrue(r.out().contains("first-boot"), r.out());
        assertTrue(r.out().indexOf("across-reboot") > r.out().indexOf("first-boot"),
                "the second boot reads what the first wrote: " + r.out());
    }

    @Test
    void lspci_shows_the_piix4_power_management_function_as_qemus() throws Exception {
        Result r = alos("-c", "lspci -nn -s 01.3; lspci -k -s 01.3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("00:01.3 Bridge [0680]: Intel Corporation 82371AB/EB/MB PIIX4 ACPI [8086:7113] (rev 03)"),
                r.out());
        assertTrue(r.out().contains("Kernel driver in use: piix4_pm"), r.out());
    }

    @Test
    void startup_sh_runs_at_boot_a_failure_logged_and_the_boot_going_on() throws Exception {
        RealPeers.requireTool("debugfs", "e2fsprogs");
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path disk = run.resolve("disk.img");
        Files.copy(dist.resolve("images/disk.img"), disk, StandardCopyOption.REPLACE_EXISTING);
        Path script = tmp.resolve("startup.sh");
        Files.writeString(script, "# at boot\necho startup-marker\nnosuch-command\necho after-the-failure\n");
        String w = HostCommands.statusAndOutput("debugfs", "-w", "-R", "write " + script + " /config/startup.sh",
                disk.toString());
        assertTrue(w.startsWith("0\n"), w);
        Result r = alos("--keep-disk", "-c", "echo in-script; dmesg");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.indexOf("startup-marker") >= 0 && out.indexOf("after-the-failure") > out.indexOf("startup-marker")
                && out.indexOf("in-script") > out.indexOf("after-the-failure"), out);
        assertTrue(r.err().contains("startup.sh: alos: command not found: nosuch-command"), r.err());
        assertTrue(Pattern.compile("(?m)^\\[\\s*\\d+\\.\\d+\\] startup-marker$").matcher(out).find(),
                "the script's output is in the kernel log:\n" + out);
    }

    @Test
    void dash_c_runs_every_command_as_sh_c_and_returns_the_last_status() throws Exception {
        Result goesOn = alos("-c", "nosuch; echo after-a-failure");
        assertEquals(0, goesOn.status(), goesOn.err());
        assertTrue(goesOn.out().contains("after-a-failure"), goesOn.out());
        assertEquals("alos: command not found: nosuch", goesOn.err().lines()
                .filter(l -> !l.startsWith("ALOS/J booted")).findFirst().orElse(""));
        Result last = alos("-c", "echo first; ls /nonexist");
        assertEquals(1, last.status());
        Result exit = alos("-c", "exit 7; echo never");
        assertEquals(7, exit.status());
        assertFalse(exit.out().contains("never"), exit.out());
    }

    @Test
    void errors_at_the_console_are_one_line_without_java_types() throws Exception {
        Result r = alosWithInput("ls /nonexist\nnosuch\nbind 00:1f.0 nodriver\nlspci -q\n");
        String all = r.out() + r.err();
        assertTrue(all.contains("ls: cannot access '/nonexist': No such file or directory"), all);
        assertTrue(all.contains("alos: command not found: nosuch"), all);
        assertFalse(Pattern.compile("\\b(java|org|com)\\.[a-z]+\\.[A-Za-z.$]*(Exception|Error)\\b").matcher(all).find(), all);
        assertFalse(all.contains("\tat "), "no stack traces: " + all);
    }

    /**
     * The guest's shell reaches no host file: Gogo's reflection, its URL-reading builtins,
     * Felix's host listing, method calls on the framework's objects and redirections all stay
     * on the machine. A canary file of the host must neither be read nor written.
     */
    @Test
    void no_command_of_the_guests_shell_reads_or_writes_a_host_file() throws Exception {
        Path canary = tmp.resolve("canary.txt");
        Files.writeString(canary, "CANARY-SECRET-4711\n");
        Path written = tmp.resolve("written-by-the-guest");
        String c = canary.toString();
        String[] attempts = {
            "new java.io.FileReader " + c,
            "(new java.io.FileInputStream " + c + ") readAllBytes",
            "gogo:cat file://" + c,
            "gogo:cat " + c,
            "cat " + c,
            "source file://" + c,
            "gogo:source file://" + c,
            "felix:ls " + tmp,
            "($.context getBundle 0) getSymbolicName",
            "\"x\" getClass",
            "echo leaked > " + written,
            "echo leaked >> file://" + written,
            "gogo:grep CANARY " + c,
            "gogo:head " + c,
        };
        for (String attempt : attempts) {
            Result r = alos("-c", attempt);
            String all = r.out() + r.err();
            assertFalse(all.contains("CANARY-SECRET-4711"), attempt + " read the host file:\n" + all);
            assertFalse(all.contains(tmp.getFileName().toString() + "/run") && attempt.startsWith("felix:ls"),
                    attempt + " listed the host:\n" + all);
            assertFalse(Files.exists(written), attempt + " wrote a host file");
            assertFalse(all.matches("(?s).*\\bjava\\.[a-z]+\\.[A-Z]\\w*(Exception|Error).*"), attempt + ": " + all);
        }
        Result onTheMachine = alos("-c", "echo kept > /tmp/x; cat /tmp/x");
        assertTrue(onTheMachine.out().contains("kept"), "redirections still write VFS files: " + onTheMachine.out()
                + onTheMachine.err());
    }

    @Test
    void a_second_alos_on_the_same_disk_is_refused_and_the_first_ones_writes_survive() throws Exception {
        RealPeers.requireTool("e2fsck", "e2fsprogs");
        RealPeers.requireTool("debugfs", "e2fsprogs");
        Process first = new ProcessBuilder(launcher()).redirectErrorStream(true).start();
        try {
            java.io.OutputStream keys = first.getOutputStream();
            StringBuilder seen = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    byte[] b = new byte[4096];
                    int n;
                    while ((n = first.getInputStream().read(b)) > 0) {
                        synchronized (seen) {
                            seen.append(new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                } catch (java.io.IOException e) {
                    // ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            keys.write("write /www/first-was-here yes\nsync\necho written-marker\n".getBytes());
            keys.flush();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                synchronized (seen) {
                    if (seen.indexOf("written-marker") >= 0) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
            synchronized (seen) {
                assertTrue(seen.indexOf("written-marker") >= 0, "the first machine runs: " + seen);
            }
            Result second = alos("-c", "echo second");
            assertEquals(2, second.status(), second.out() + second.err());
            assertTrue(second.err().contains("disk.img is in use by another alos (pid " + first.pid() + ")"), second.err());
            assertFalse(second.out().contains("second"), second.out());
            keys.write("poweroff\n".getBytes());
            keys.flush();
            assertTrue(first.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the first machine powers off");
            assertEquals(0, first.exitValue());
        } finally {
            first.destroyForcibly();
        }
        Path disk = tmp.resolve("run/disk.img");
        String fsck = HostCommands.statusAndOutput("e2fsck", "-fn", disk.toString());
        assertTrue(fsck.startsWith("0\n") && !fsck.contains("Fix? no"), fsck);
        String file = HostCommands.statusAndOutput("debugfs", "-R", "cat /www/first-was-here", disk.toString());
        assertTrue(file.contains("yes"), file);
    }

    @Test
    void launcher_arguments_that_cannot_work_get_one_line_and_status_2() throws Exception {
        List<String> small = launcher("-m", "1G", "-c", "echo never");
        small.add(1, "-Xmx512m");
        Result ram = AlosProcess.run(new ProcessBuilder(small), 60, "alos -m 1G in a 512 MiB heap");
        assertEquals(2, ram.status(), ram.out() + ram.err());
        assertEquals(1, ram.err().strip().lines().count(), ram.err());
        assertTrue(ram.err().startsWith("alos: -m: 1024 MiB of guest RAM does not fit"), ram.err());
        Result conf = alos("--conf", tmp.resolve("no-such-conf").toString(), "-c", "echo never");
        assertEquals(2, conf.status());
        assertEquals("alos: --conf: " + tmp.resolve("no-such-conf") + " is not a directory", conf.err().strip());
        Path missing = tmp.resolve("no-such-dir");
        Result serial = alos("-serial", "file:" + missing.resolve("x"), "-c", "echo never");
        assertEquals(2, serial.status());
        assertTrue(serial.err().strip().startsWith("alos: -serial file:"), serial.err());
        assertFalse(Files.exists(missing), "the launcher makes no host directory the user did not name");
        Path img = tmp.resolve("a.img");
        Files.write(img, new byte[1 << 20]);
        Result twice = alos("-drive", "file=" + img, "-drive", "file=" + img, "-c", "echo never");
        assertEquals(2, twice.status());
        assertTrue(twice.err().contains("is attached twice"), twice.err());
    }

    @Test
    void a_readonly_drive_is_write_protected_and_mounts_read_only_as_linux_mounts_one() throws Exception {
        Path img = tmp.resolve("ro.img");
        Files.copy(dist.resolve("images/disk.img"), img);
        byte[] before = Files.readAllBytes(img);
        Result r = alos("-drive", "file=" + img + ",readonly=on",
                "-c", "lsblk; mount /dev/hda /mnt; mount; cat /mnt/config/network.conf; write /mnt/x y");
        assertEquals(1, r.status(), "the write is refused: " + r.out() + r.err());
        assertTrue(Pattern.compile("(?m)^hda\\s+3:0\\s+\\S+\\s+1\\s+disk").matcher(r.out()).find(), "RO 1: " + r.out());
        assertTrue(r.out().contains("/dev/hda on /mnt type ext2 (ro)"), r.out());
        assertTrue(r.out().contains("mode="), "the files read: " + r.out());
        assertTrue(r.err().contains("write: /mnt/x: Read-only file system"), r.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(img)), "the image is as it was");
    }

    @Test
    void double_dash_help_prints_the_commands_usage() throws Exception {
        Result r = alos("-c", "ls --help; lspci --help; mount --help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("usage: ls"), r.out());
        assertTrue(r.out().contains("usage: lspci"), r.out());
        assertTrue(r.out().contains("usage: mount"), r.out());
    }

    @Test
    void pipelines_fail_in_one_line_and_grep_and_echo_behave_as_on_linux() throws Exception {
        Result r = alos("-c", "cat /nonexist | head -n 1; ls --help | head -n 1; echo ---; echo -n -e 'x\\ty'; echo;"
                + " echo hello > /tmp/f; echo world >> /tmp/f; ls / | grep bin; grep -c o /tmp/f; grep -n wor /tmp/f;"
                + " history; echo through-cat | cat; echo hi | sha256sum; grep nothing /tmp/f");
        assertEquals(1, r.status(), "grep's status when nothing matched: " + r.err());
        assertTrue(r.err().contains("cat: /nonexist: No such file or directory"), r.err());
        assertFalse(r.err().contains("gogo:"), r.err());
        assertTrue(r.out().contains("usage: ls"), r.out());
        assertTrue(r.out().contains("---\nx\ty\n"), r.out());
        assertTrue(r.out().contains("bin\n2\n2:world\n"), "no colour in a script's output, and counts right: " + r.out());
        assertFalse(r.out().contains("\033["), r.out());
        assertTrue(r.out().contains("through-cat\n"), "cat without a file reads standard input: " + r.out());
        assertTrue(r.out().contains("98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  -\n"),
                "sha256sum of standard input, as coreutils prints it: " + r.out());
    }

    /** busybox's dmesg (not ours) reads the kernel log through syslog(2), as on Linux. */
    @Test
    void busybox_dmesg_reads_the_kernel_log_through_syslog() throws Exception {
        Result r = alos("-c", "dmesg > /tmp/ours; exec /bin/busybox dmesg > /tmp/theirs; exec /bin/busybox dmesg -r"
                + " > /tmp/raw; cat /tmp/ours; echo @@@@; cat /tmp/theirs; echo @@@@; cat /tmp/raw");
        assertEquals(0, r.status(), r.err());
        String[] parts = r.out().split("@@@@\n");
        List<String> ours = parts[0].lines().toList();
        // Debian's busybox is built without its "pretty" dmesg: it prints the <level> prefixes as they come
        List<String> theirs = parts[1].lines().map(l -> l.replaceFirst("^<\\d+>", "")).toList();
        assertTrue(ours.size() > 10, parts[0]);
        assertEquals(ours, theirs.subList(0, ours.size()), "the same records, in order, as the shell's dmesg");
        assertTrue(parts[2].lines().allMatch(l -> l.matches("<[3467]>\\[ *\\d+\\.\\d{6}\\] .*")), parts[2]);
        Result cleared = alos("-c", "exec /bin/busybox dmesg -c > /dev/null; dmesg");
        assertTrue(cleared.out().lines().count() < ours.size(), "dmesg -c cleared the ring: " + cleared.out());
    }

    /** A program's standard streams are where the command line puts them, as a Linux shell's. */
    @Test
    void programs_read_and_write_through_the_shells_pipes_and_redirections() throws Exception {
        Result r = alos("-c", "exec /bin/busybox echo piped | grep pip; echo hello | exec /bin/busybox tr a-z A-Z;"
                + " exec /bin/busybox yes | head -n 2; exec /bin/busybox echo into > /tmp/f; cat /tmp/f;"
                + " exec /bin/cat /nonexist 2> /tmp/e; cat /tmp/e");
        assertEquals("piped\nHELLO\ny\ny\ninto\ncat: /nonexist: No such file or directory\n",
                r.out().lines().filter(l -> !l.startsWith("ALOS/J booted")).map(l -> l + "\n")
                        .collect(java.util.stream.Collectors.joining()), r.err());
        assertEquals(0, r.status(), r.err());
    }
}
