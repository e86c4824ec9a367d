package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person at the console, through a real pseudo-terminal (util-linux's {@code script} makes
 * one and runs ./alos on it): {@code exec /bin/busybox sh} gives an interactive shell that runs
 * what is typed, ^C interrupts a {@code sleep 100} through the kernel's line discipline (the
 * shell survives and reports 130), and {@code exit} returns to the ALOS/J console.
 */
class InteractiveConsoleTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    Path run;

    /** The terminal's output so far, and the way in to its keyboard. */
    private static final class Screen {
        final Process process;
        final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        final OutputStream keys;

        Screen(Process p) {
            process = p;
            keys = p.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    int n;
                    while ((n = p.getInputStream().read(b)) > 0) {
                        synchronized (seen) {
                            seen.write(b, 0, n);
                            seen.notifyAll();
                        }
                    }
                } catch (IOException gone) {
                    // the terminal closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String text() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until {@code expected} appears after position {@code from} of the output. */
        int await(String expected, int from, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (seen) {
                for (;;) {
                    String s = seen.toString(StandardCharsets.UTF_8);
                    int at = s.indexOf(expected, Math.min(from, s.length()));
                    if (at >= 0) {
                        return at + expected.length();
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        fail("the terminal never showed '" + expected + "'; it shows:\n" + s);
                    }
                    seen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }
    }

    @Test
    void busybox_sh_typed_at_a_real_terminal_runs_commands_and_ctrl_c_interrupts_sleep() throws Exception {
        boolean hasScript = Files.isExecutable(Path.of("/usr/bin/script"));
        if (!hasScript && CI) {
            fail("util-linux's script (a real pty) is missing, and CI=true requires it");
        }
        Assumptions.assumeTrue(hasScript, "util-linux's script is not installed");
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath()
                .normalize();
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox) && CI) {
            fail("busybox-static is missing, and CI=true requires it");
        }
        Assumptions.assumeTrue(Files.isExecutable(busybox), "busybox is not installed: the disk has none");
        List<String> launcher = new ArrayList<>(AlosProcess.launcher(dist, run));
        // The default disk (/bin) with a NIC on an in-JVM hub instead of the default passt.
        launcher.addAll(List.of("-netdev", "hub,id=n0", "-device", "pcnet,netdev=n0", "-serial", "none"));
        StringBuilder command = new StringBuilder();
        for (String arg : launcher) {
            command.append(command.length() == 0 ? "" : " ").append('\'').append(arg.replace("'", "'\\''"))
                    .append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command.toString(), "/dev/null");
        pb.environment().put("TERM", "xterm");
        pb.redirectErrorStream(true);
        Screen screen = new Screen(pb.start());
        try {
            int at = screen.await("booted", 0, 120);
            at = screen.await(">", at, 60);
            screen.type("exec /bin/busybox sh\r");
            at = screen.await("# ", at, 60);
            screen.type("echo sum-$((6*7))\r");
            at = screen.await("sum-42", at, 60);
            at = screen.await("# ", at, 30);
            screen.type("sleep 100\r");
            // The shell is waiting for sleep: a key it does not read, ^C, goes to the tty.
            Thread.sleep(1500);
            screen.type("\u0003");
            at = screen.await("^C", at, 30);
            at = screen.await("# ", at, 30);
            screen.type("echo status-$?\r");
            at = screen.await("status-130", at, 30);
            screen.type("exit\r");
            // Back on the ALOS/J console (its prompt ends in '>'): its own commands answer again.
            at = screen.await(">", at, 60);
            // Known glitch (see the issue note): a key typed while JLine sets up its prompt
            // right after a program ends can be lost; a person types slower than this test.
            Thread.sleep(1000);
            screen.type("echo console-back\r");
            at = screen.await("console-back", at, 60);
            at = screen.await(">", at, 60);
            screen.type("\u0004");
            assertTrue(screen.process.waitFor(60, TimeUnit.SECONDS), "./alos did not end at ^D");
            assertEquals(0, screen.process.exitValue(), screen.text());
        } finally {
            screen.process.destroyForcibly();
        }
    }
}
