package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alosj.itests.AlosProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The screen, keyboard and mouse as a person uses them, through ./alos -vga std: keys pressed
 * on the PS/2 keyboard (the monitor's sendkey, which goes through the i8042 model, IRQ 1 and the
 * driver) reach the shell on the frame-buffer console and in the desktop's terminal window, and
 * the screendump shows the typed text, read back cell by cell against the console font; the US
 * and French layouts give the characters those layouts give; a mouse drag (mouse_move and
 * mouse_button: PS/2 packets on IRQ 12) moves a window, as screendumps before and after show.
 */
class GuiDistributionTest {
    /** The desktop's focused title bar colour (gui/desktop Theme.TITLE_FOCUSED). */
    private static final int TITLE_FOCUSED = 0x3d6fb4;
    static final int TITLE_HEIGHT = 22;

    @TempDir
    Path tmp;

    private static Path dist() {
        return Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
    }

    private Result alos(String script, String... args) throws Exception {
        Path dist = dist();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-vga", "std", "-netdev", "hub,id=lan0", "-c", script));
        return AlosProcess.run(new ProcessBuilder(cmd).directory(Files.createDirectories(tmp.resolve("cwd")).toFile()),
                240, "alos " + String.join(" ", args));
    }

    /** sendkey for each character of a word of lower-case letters (QEMU's key names are the keys'). */
    private static String typed(String keys) {
        StringBuilder sb = new StringBuilder();
        for (char c : keys.toCharArray()) {
            sb.append(c == ' ' ? "sendkey spc; " : "sendkey " + c + "; ");
        }
        return sb.append("sendkey ret; ").toString();
    }


    static List<String> rows(BufferedImage img, int x, int y, int columns, int count) throws Exception {
        Map<Integer, byte[]> font = FramebufferConsoleIT.font();
        int[] picture = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        List<String> out = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            out.add(ScreenText.cells(picture, img.getWidth(), x, y + r * 16, columns, font));
        }
        return out;
    }

    /** The top-left pixel of the focused window's title bar (inside its 1-pixel frame). */
    static int[] titleBar(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == TITLE_FOCUSED) {
                    return new int[] {x, y};
                }
            }
        }
        return null;
    }

    @Test
    void keys_on_the_ps2_keyboard_reach_the_shell_on_tty1_with_the_us_layout() throws Exception {
        Path png = tmp.resolve("tty1-us.png");
        Result r = alos("sleep 4; " + typed("echo qwm") + "sleep 3; screendump " + png);
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> screen = rows(ImageIO.read(png.toFile()), 0, 0, 128, 3);
        assertTrue(screen.get(0).startsWith("alos:") && screen.get(0).endsWith("> echo qwm"), screen.toString());
        assertEquals("qwm", screen.get(1), screen.toString());
    }

    @Test
    void the_same_keys_type_azerty_characters_with_the_french_layout() throws Exception {
        Path png = tmp.resolve("tty1-fr.png");
        // On AZERTY the keys Q, W and ; (the key right of L… on a US board: M's place) type a, z, m.
        Result r = alos("sleep 4; sendkey e; sendkey c; sendkey h; sendkey o; sendkey spc; sendkey q; sendkey w; "
                + "sendkey semicolon; sendkey ret; sleep 3; screendump " + png, "-k", "fr");
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> screen = rows(ImageIO.read(png.toFile()), 0, 0, 128, 3);
        assertTrue(screen.get(0).endsWith("> echo azm"), screen.toString());
        assertEquals("azm", screen.get(1), screen.toString());
    }

    @Test
    void stopping_the_desktop_bundle_gives_tty1_the_screen_back_and_starting_it_again_works() throws Exception {
        // Bundle ids follow conf/bundles.list (the system bundle is 0).
        List<String> jars = Files.readAllLines(dist().resolve("conf/bundles.list")).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int id = jars.indexOf("gui-desktop.jar") + 1;
        assertTrue(id > 0, "gui-desktop.jar is not in conf/bundles.list");
        Path stopped = tmp.resolve("stopped.png");
        Result r = alos("gui; sleep 2; gui status; stop " + id + "; sleep 2; screendump " + stopped + "; start " + id
                + "; sleep 1; gui status; gui; sleep 1; gui status");
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> tty1 = rows(ImageIO.read(stopped.toFile()), 0, 0, 128, 1);
        assertTrue(tty1.get(0).startsWith("alos:"), "tty1 redrew its prompt: " + tty1);
        String out = r.out();
        int first = out.indexOf("gui: running on fb0");
        int notRunning = out.indexOf("gui: not running", first);
        int again = out.indexOf("gui: running on fb0", notRunning);
        assertTrue(first >= 0 && notRunning > first && again > notRunning, out);
    }

    @Test
    void busybox_vi_edits_a_file_on_tty1() throws Exception {
        Path png = tmp.resolve("vi.png");
        List<String> keys = new ArrayList<>();
        keys.addAll(List.of("e", "x", "e", "c", "spc", "slash", "b", "i", "n", "slash", "v", "i", "spc",
                "slash", "t", "m", "p", "slash", "n", "dot", "t", "x", "t", "ret"));
        keys.addAll(List.of("i", "h", "e", "l", "l", "o", "spc", "v", "i", "esc", "shift-semicolon", "w", "q", "ret"));
        keys.addAll(List.of("c", "a", "t", "spc", "slash", "t", "m", "p", "slash", "n", "dot", "t", "x", "t", "ret"));
        StringBuilder script = new StringBuilder("sleep 4; ");
        for (int i = 0; i < keys.size(); i++) {
            script.append("sendkey ").append(keys.get(i)).append("; ");
            if (keys.get(i).equals("ret") || keys.get(i).equals("esc")) {
                script.append("sleep 2; "); // vi draws its screen; the shell comes back
            }
        }
        Result r = alos(script + "sleep 2; screendump " + png);
        assertEquals(0, r.status(), r.out() + r.err());
        // vi wrote the file (the shell's cat shows it) and gave the screen back to the shell.
        List<String> screen = rows(ImageIO.read(png.toFile()), 0, 0, 128, 48);
        int cat = -1;
        for (int i = 0; i < screen.size(); i++) {
            if (screen.get(i).endsWith("> cat /tmp/n.txt")) {
                cat = i;
            }
        }
        assertTrue(cat >= 0 && cat + 1 < screen.size(), screen.toString());
        assertEquals("hello vi", screen.get(cat + 1), screen.toString());
    }

    @Test
    void busybox_top_draws_its_screen_on_tty1() throws Exception {
        Path png = tmp.resolve("top.png");
        StringBuilder keys = new StringBuilder();
        for (String k : List.of("e", "x", "e", "c", "spc", "slash", "b", "i", "n", "slash", "t", "o", "p", "ret")) {
            keys.append("sendkey ").append(k).append("; ");
        }
        Result r = alos("sleep 4; " + keys + "sleep 6; screendump " + png);
        assertEquals(0, r.status(), r.out() + r.err());
        // top clears the screen, homes the cursor and draws its header in reverse video.
        List<String> screen = rows(ImageIO.read(png.toFile()), 0, 0, 128, 5);
        assertTrue(screen.get(0).startsWith("Mem: "), screen.toString());
        assertTrue(screen.get(1).startsWith("CPU: "), screen.toString());
        assertTrue(screen.get(3).contains("PID") && screen.get(3).contains("COMMAND"), screen.toString());
        assertTrue(screen.get(4).contains("/bin/top"), screen.toString());
    }

    @Test
    void the_desktop_opens_a_terminal_that_runs_the_shell_and_a_drag_moves_its_window() throws Exception {
        Path opened = tmp.resolve("opened.png");
        Path dragged = tmp.resolve("dragged.png");
        Path back = tmp.resolve("back.png");
        // The pointer starts at the centre; pushed into the bottom-left corner it is at (0, 767).
        // The menu button is at the left of the task bar (bottom 28 rows); the menu lists the
        // applications by name, Terminal last, its item 22 rows high just above the task bar.
        String script = "gui; sleep 1; mouse_move -2000 2000; sleep 1; mouse_move 20 -10; sleep 0.5; "
                + "mouse_button 1; sleep 0.3; mouse_button 0; sleep 0.5; mouse_move 10 -32; sleep 0.5; "
                + "mouse_button 1; sleep 0.3; mouse_button 0; sleep 4; " + typed("echo gui")
                + "sleep 3; screendump " + opened + "; "
                // To the window's title bar (the first window opens at 30,20), press, drag, release.
                + "mouse_move 0 -2000; sleep 1; mouse_move 40 25; sleep 0.5; mouse_button 1; sleep 0.3; "
                + "mouse_move 300 200; sleep 1; mouse_button 0; sleep 1; screendump " + dragged + "; "
                + "gui stop; sleep 2; screendump " + back;
        Result r = alos(script);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("gui: desktop on fb0 1024x768x32"), r.out());

        BufferedImage before = ImageIO.read(opened.toFile());
        int[] t0 = titleBar(before);
        assertTrue(t0 != null, "no focused window on the desktop");
        List<String> term = rows(before, t0[0], t0[1] + TITLE_HEIGHT, 80, 3);
        assertTrue(term.get(0).startsWith("alos:") && term.get(0).endsWith("> echo gui"), term.toString());
        assertEquals("gui", term.get(1), term.toString());

        BufferedImage after = ImageIO.read(dragged.toFile());
        int[] t1 = titleBar(after);
        assertTrue(t1 != null, "no focused window after the drag");
        assertEquals(300, t1[0] - t0[0], "moved right by the drag");
        assertEquals(200, t1[1] - t0[1], "moved down by the drag");
        // The text moved with the window, and the desktop shows where the window was.
        assertEquals(term, rows(after, t1[0], t1[1] + TITLE_HEIGHT, 80, 3));
        assertTrue((after.getRGB(t0[0] + 5, t0[1] + 5) & 0xffffff) != TITLE_FOCUSED);

        // gui stop gives the screen back to tty1, which draws its own text again.
        List<String> tty1 = rows(ImageIO.read(back.toFile()), 0, 0, 128, 1);
        assertTrue(tty1.get(0).startsWith("alos:"), tty1.toString());
    }
}
