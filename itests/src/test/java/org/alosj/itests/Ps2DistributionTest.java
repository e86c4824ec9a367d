package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alosj.itests.AlosProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyboard and mouse of the distribution's machine as a user meets them: the i8042 and its
 * driver on every boot, the keymap from {@code -k} through Configuration Admin, and
 * {@code loadkeys}' one-line errors.
 */
class Ps2DistributionTest {
    @TempDir
    Path tmp;

    private Result alos(String... args) throws Exception {
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        // Never passt in the machine's own namespace: the default lan0 becomes a hub.
        cmd.addAll(List.of("-netdev", "hub,id=lan0"));
        return AlosProcess.run(new ProcessBuilder(cmd).directory(Files.createDirectories(tmp.resolve("cwd")).toFile()),
                120, "alos " + String.join(" ", args));
    }

    @Test
    void every_machine_has_a_ps2_keyboard_and_mouse_on_irqs_1_and_12() throws Exception {
        Result r = alos("-c", "kbhit -n 0; interrupts; dmesg");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("kbhit: AT Translated Set 2 keyboard, keymap us;"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s*1:\\s+\\d+\\s+XT-PIC\\s+i8042 keyboard\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s*12:\\s+\\d+\\s+XT-PIC\\s+i8042 aux\\n.*"), r.out());
        assertTrue(r.out().contains("i8042: ImExPS/2 Generic Explorer Mouse on isa0060/serio1 (IRQ 12)"), r.out());
    }

    @Test
    void k_fr_loads_the_french_keymap_and_loadkeys_changes_it() throws Exception {
        Result r = alos("-k", "fr", "-c", "kbhit -n 0; loadkeys us; kbhit -n 0");
        assertEquals(0, r.status(), r.out() + r.err());
        int fr = r.out().indexOf("keymap fr;");
        int us = r.out().indexOf("keymap us;");
        assertTrue(fr >= 0 && us > fr, r.out());
        assertTrue(r.out().contains("loadkeys: keymap 'us' loaded"), r.out());
    }

    @Test
    void bad_keymaps_are_one_line_errors() throws Exception {
        Result cmd = alos("-c", "loadkeys xx");
        assertEquals(1, cmd.status());
        assertTrue(cmd.err().contains("loadkeys: unknown keymap 'xx' (us, fr)"), cmd.err());
        Result flag = alos("-k", "de", "-c", "true");
        assertEquals(2, flag.status());
        assertEquals("alos: -k: unknown keyboard layout 'de' (us, fr)", flag.err().strip());
    }
}
