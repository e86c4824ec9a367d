package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.alosj.itests.AlosProcess.Result;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The display adapter as a user starts it: {@code -vga std} and {@code -device bochs-display}
 * show up in lspci as QEMU's do and are bound by bochs; the default machine has no display; a
 * mode the adapter cannot show is refused and the machine boots on without a screen.
 */
class DisplayDistributionTest {
    @TempDir
    Path tmp;
    final DistributionTest launcher = new DistributionTest();

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    Result alos(String... args) throws Exception {
        launcher.tmp = tmp;
        return launcher.alos(args);
    }

    @Test
    void vga_std_is_a_vga_controller_bound_by_bochs_and_the_default_machine_has_none() throws Exception {
        Result plain = alos("-c", "lspci -nn");
        assertEquals(0, plain.status(), plain.err());
        assertFalse(plain.out().contains("1234:1111"), plain.out());

        Result vga = alos("-vga", "std", "-c", "lspci -nn -k");
        assertEquals(0, vga.status(), vga.err());
        assertTrue(vga.out().contains("VGA compatible controller [0300]: Device [1234:1111] (rev 02)"), vga.out());
        assertTrue(vga.out().contains("Subsystem: Red Hat, Inc. Device [1af4:1100]"), vga.out());
        assertTrue(vga.out().contains("Kernel driver in use: bochs"), vga.out());
    }

    @Test
    void bochs_display_is_a_display_controller_and_real_lspci_decodes_its_dump() throws Exception {
        RealPeers.requireTool("lspci", "decode the adapter's configuration space");
        Result r = alos("-device", "bochs-display,id=video0,addr=5", "-c", "lspci -nn -k -s 05.0; lspci -xxx -s 05.0");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("05.0 Display controller [0380]: Device [1234:1111] (rev 02)"), r.out());
        assertTrue(r.out().contains("Kernel driver in use: bochs"), r.out());
        Path dump = tmp.resolve("dump.txt");
        String lines = r.out().substring(r.out().indexOf("00:05.0 Display controller:"));
        Files.writeString(dump, lines);
        String decoded = DistributionTest.run("lspci", "-F", dump.toString(), "-v");
        assertTrue(decoded.contains("Display controller: Device 1234:1111 (rev 02)"), decoded);
        assertTrue(decoded.matches("(?s).*Memory at [0-9a-f]+ \\(32-bit, prefetchable\\).*"), decoded);
        assertTrue(decoded.matches("(?s).*Memory at [0-9a-f]+ \\(32-bit, non-prefetchable\\).*"), decoded);
    }

    @Test
    void a_mode_the_adapter_cannot_show_is_refused_and_the_machine_goes_on() throws Exception {
        Path conf = tmp.resolve("conf");
        Files.createDirectories(conf);
        try (var files = Files.list(DistributionTest.dist.resolve("conf"))) {
            for (Path f : files.toList()) {
                Files.copy(f, conf.resolve(f.getFileName()));
            }
        }
        Files.writeString(conf.resolve("org.alosj.drivers.fb.cfg"), "width=1024\nheight=768\nbpp=24\n");
        Result r = alos("--conf", conf.toString(), "-device", "bochs-display", "-c", "lspci -k; echo still here");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("still here"), r.out());
        assertFalse(r.out().contains("Kernel driver in use: bochs"), r.out());
        assertTrue(Files.readString(tmp.resolve("run").resolve("alosj.log"))
                .contains("bochs probe failed: unsupported depth 24 bpp: expected 32 or 16"));
    }
}
