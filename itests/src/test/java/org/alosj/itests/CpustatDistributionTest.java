package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU model's counters through ./alos: a guest shell leaves /bin/spin running (PID 2 on a
 * fresh machine: busybox sh is 1) and reads /proc/2/cpustat; then the console's {@code cpustat 2},
 * {@code cpustat} machine-wide, {@code cpustat -r} and {@code cpustat} again, and an unknown PID.
 */
class CpustatDistributionTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    Path run;

    private static long count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no " + regex + " in:\n" + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void proc_cpustat_and_the_cpustat_command_show_a_running_programs_counters() throws Exception {
        Path userland = Path.of("../userland/target/bin").toAbsolutePath().normalize();
        boolean present = Files.isRegularFile(userland.resolve("spin")) && Files.isExecutable(Path.of("/bin/busybox"));
        if (!present && CI) {
            fail("no userland (musl-gcc) or no host busybox, and CI=true requires them");
        }
        Assumptions.assumeTrue(present, "no userland (musl-gcc) or no host busybox");
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath()
                .normalize();
        List<String> cmd = AlosProcess.launcher(dist, run);
        cmd.addAll(List.of("-c", "exec /bin/busybox sh -c '/bin/spin > /dev/null & echo spinpid=$!; sleep 1; "
                + "cat /proc/$!/cpustat'; cpustat 2; cpustat; cpustat -r; cpustat; cpustat 99"));
        AlosProcess.Result r = AlosProcess.run(new ProcessBuilder(cmd), 300, "cpustat");
        String out = r.out();

        assertTrue(out.contains("spinpid=2\n"), "spin is not PID 2:\n" + out + r.err());
        // /proc/2/cpustat: a second of an endless loop, nearly all of it in compiled blocks.
        long procInsns = count(out, "^instructions (\\d+)$");
        assertTrue(procInsns > 1_000_000, out);
        assertTrue(count(out, "^instructions_compiled (\\d+)$") * 10 > procInsns * 9, out);
        assertTrue(count(out, "^blocks_decoded (\\d+)$") > 0, out);
        // the console's view of the same process, later
        int table = out.indexOf("CPU model counters, process 2:");
        assertTrue(table >= 0, out);
        long tableInsns = count(out.substring(table), "^instructions +(\\d+) ");
        assertTrue(tableInsns >= procInsns, out);
        // machine-wide: busybox's system calls included although busybox has exited
        int machine = out.indexOf("CPU model counters, machine:");
        assertTrue(machine >= 0, out);
        String before = out.substring(machine);
        long machineInsns = count(before, "^instructions +(\\d+) ");
        assertTrue(machineInsns > tableInsns, out);
        assertTrue(count(before, "^syscalls +(\\d+) ") > 10, out);
        // after -r the machine counts again from (near) zero, spin still running
        int reset = out.indexOf("cpustat: machine-wide counters reset");
        assertTrue(reset > machine, out);
        long afterReset = count(out.substring(reset), "^instructions +(\\d+) ");
        assertTrue(afterReset < machineInsns, out);
        assertTrue(r.err().contains("cpustat: no process 99"), r.err());
        assertEquals(1, r.status(), "the last command (cpustat 99) fails the script:\n" + out + r.err());
    }
}
