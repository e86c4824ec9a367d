package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debugging as ALOS did it: the machine started with QEMU's {@code -S -gdb tcp::PORT} serves
 * GDB's remote protocol, and Debian's real gdb attaches with {@code target remote}, breaks on
 * {@code main} of a userland program (symbols from the build), reads a register and the
 * arguments, steps a line and continues to the program's exit.
 */
class GdbStubTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    Path run;

    @Test
    void real_gdb_breaks_on_main_reads_registers_and_locals_steps_and_continues_to_exit() throws Exception {
        boolean hasGdb = Files.isExecutable(Path.of("/usr/bin/gdb"));
        if (!hasGdb && CI) {
            fail("gdb is missing (Debian package gdb), and CI=true requires it");
        }
        Assumptions.assumeTrue(hasGdb, "gdb is not installed");
        Path hello = Path.of("../userland/target/bin/hello").toAbsolutePath().normalize();
        if (!Files.isRegularFile(hello) && CI) {
            fail("the userland was not built (musl-gcc missing), and CI=true requires it");
        }
        Assumptions.assumeTrue(Files.isRegularFile(hello), "the userland was not built (musl-gcc missing)");
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath()
                .normalize();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist, run));
        cmd.addAll(List.of("-netdev", "hub,id=n0", "-device", "pcnet,netdev=n0", "-serial", "none",
                "-S", "-gdb", "tcp::" + port, "-c", "exec /bin/hello alpha"));
        CompletableFuture<AlosProcess.Result> machine = CompletableFuture.supplyAsync(() -> {
            try {
                return AlosProcess.run(new ProcessBuilder(cmd), 240, "./alos -S -gdb");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // gdb retries its connection until the machine has booted and listens.
        AlosProcess.Result gdb = AlosProcess.run(new ProcessBuilder("gdb", "-nx", "-batch",
                "-ex", "set tcp connect-timeout 180",
                "-ex", "target remote 127.0.0.1:" + port,
                "-ex", "break main",
                "-ex", "continue",
                "-ex", "info registers rip",
                "-ex", "print argc",
                "-ex", "print argv[1]",
                "-ex", "next",
                "-ex", "continue",
                hello.toString()), 240, "gdb");
        AlosProcess.Result alos = machine.get();
        String out = gdb.out();
        assertTrue(out.contains("Breakpoint 1, main (argc=2"), "gdb did not stop at main:\n" + out + gdb.err());
        assertTrue(out.matches("(?s).*rip\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+ <main>.*"), "rip is not main:\n" + out);
        assertTrue(out.contains("$1 = 2"), "argc:\n" + out);
        assertTrue(out.contains("$2 = 0x") && out.contains("\"alpha\""), "argv[1]:\n" + out);
        assertTrue(out.matches("(?s).*\\n11\\s.*"), "next did not reach line 11:\n" + out);
        assertTrue(out.contains("exited normally"), "the program did not run to its exit:\n" + out);
        assertEquals(0, alos.status(), alos.out() + alos.err());
        assertTrue(alos.out().contains("argv[1]=alpha"), "the program's output:\n" + alos.out());
    }
}
