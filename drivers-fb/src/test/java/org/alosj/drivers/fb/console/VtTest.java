package org.alosj.drivers.fb.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The terminal's cells and cursor after the sequences vi, top and a shell send. */
class VtTest {
    final ByteArrayOutputStream replies = new ByteArrayOutputStream();
    int flushes;
    final Vt vt = new Vt(20, 6, new Vt.Host() {
        @Override
        public void flush() {
            flushes++;
            vt.takeDamage();
        }

        @Override
        public void reply(byte[] bytes) {
            replies.writeBytes(bytes);
        }
    });

    String row(int r) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < vt.columns(); c++) {
            sb.appendCodePoint(vt.codePoint(c, r));
        }
        return sb.toString().stripTrailing();
    }

    @Test
    void utf8IsDecodedAndBadSequencesBecomeTheReplacementCharacter() {
        vt.write("é€┼");
        vt.write(new byte[] {(byte) 0xC3, 'x', (byte) 0xFF, (byte) 0xE2, (byte) 0x82}, 0, 5);
        vt.write(new byte[] {(byte) 0xAC}, 0, 1); // the euro sign split across two writes
        vt.write(new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2); // overlong NUL
        assertEquals("é€┼\uFFFDx\uFFFD€\uFFFD", row(0));
    }

    @Test
    void linesWrapAtTheLastColumnOnlyWhenTheNextCharacterComes() {
        vt.write("12345678901234567890");
        assertEquals(19, vt.cursorX());
        assertEquals(0, vt.cursorY(), "deferred wrap: still on the first row");
        vt.write("\r\nx");
        assertEquals("x", row(1), "CR LF after a full row does not leave an empty row");
        vt.write("\u001b[?7l" + "abcdefghijklmnopqrstuvwxyz");
        assertEquals("xabcdefghijklmnopqrz", row(1), "without autowrap the last column is overwritten");
    }

    @Test
    void cursorMotionEraseAndInsertDelete() {
        vt.write("\u001b[3;5Hab\u001b[1;1Hx\u001b[10;30Hy");
        assertEquals("    ab", row(2));
        assertEquals(5, vt.cursorY(), "CUP clamps to the screen");
        assertEquals(19, vt.cursorX());
        vt.write("\u001b[3;1H\u001b[2@");
        assertEquals("      ab", row(2), "ICH shifts right");
        vt.write("\u001b[3P");
        assertEquals("   ab", row(2), "DCH shifts left");
        vt.write("\u001b[3;5H\u001b[K");
        assertEquals("   a", row(2));
        vt.write("\u001b[2J");
        for (int r = 0; r < 6; r++) {
            assertEquals("", row(r));
        }
        vt.write("\u001b[Htop\u001b[2;1Hmid\u001b[2;1H\u001b[L");
        assertEquals("", row(1), "IL opens a line at the cursor");
        assertEquals("mid", row(2));
        vt.write("\u001b[M");
        assertEquals("mid", row(1), "DL closes it");
        vt.write("\u001b[1;3H\u001b[1K");
        assertEquals("", row(0), "EL 1 erases up to and including the cursor");
    }

    @Test
    void scrollRegionKeepsTheRowsOutsideIt() {
        for (int r = 1; r <= 6; r++) {
            vt.write("\u001b[" + r + ";1Hrow" + r);
        }
        vt.write("\u001b[2;4r");
        assertEquals(0, vt.cursorY(), "DECSTBM homes the cursor");
        vt.write("\u001b[4;1H\nnew");
        assertEquals("row1", row(0));
        assertEquals("row3", row(1));
        assertEquals("row4", row(2));
        assertEquals("new", row(3));
        assertEquals("row5", row(4));
        vt.write("\u001b[2;1H\u001bMtop");
        assertEquals("top", row(1), "RI at the top of the region scrolls it down");
        assertEquals("row3", row(2));
        assertEquals("row5", row(4));
    }

    @Test
    void saveRestoreCursorAndTheAlternateScreen() {
        vt.write("shell$ \u001b7\u001b[5;5H\u001b8x");
        assertEquals("shell$ x", row(0));
        vt.write("\u001b[?1049h\u001b[Hvi");
        assertEquals("vi", row(0));
        vt.write("\u001b[?1049l");
        assertEquals("shell$ x", row(0), "leaving the alternate screen brings the text back");
        assertEquals(8, vt.cursorX());
        vt.write("\u001b[?25l");
        assertFalse(vt.cursorVisible());
        vt.write("\u001b[?25h");
        assertTrue(vt.cursorVisible());
    }

    @Test
    void statusAndPositionReportsAnswerAsAVt102() {
        vt.write("\u001b[3;7H\u001b[6n\u001b[5n\u001b[c");
        assertEquals("\u001b[3;7R\u001b[0n\u001b[?6c", replies.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void sgrSetsColoursAndAttributes() {
        vt.write("\u001b[1;31;44ma\u001b[0mb\u001b[7;38;5;200mc\u001b[38;2;255;0;0;49md\u001b[m");
        int a = vt.style(0, 0);
        assertEquals(1, Vt.foreground(a));
        assertEquals(4, Vt.background(a));
        assertTrue((a & Vt.BOLD) != 0);
        assertEquals(Vt.PLAIN, vt.style(1, 0));
        assertEquals(200, Vt.foreground(vt.style(2, 0)));
        assertTrue((vt.style(2, 0) & Vt.REVERSE) != 0);
        assertEquals(196, Vt.foreground(vt.style(3, 0)), "true red is the cube's red");
        assertEquals(Vt.DEFAULT_COLOUR, Vt.background(vt.style(3, 0)));
        int[] rgb = new int[2];
        Palette.resolve(a, rgb);
        assertEquals(0xFF5555, rgb[0], "bold brightens the basic colours");
        assertEquals(0x0000AA, rgb[1]);
    }

    @Test
    void manyLineFeedsBecomeOneScrollOfTheScreen() {
        vt.takeDamage();
        vt.write("\u001b[6;1H");
        vt.write("a\r\nb\r\nc\r\n");
        assertEquals(3, vt.pendingScroll()[2]);
        assertEquals(0, flushes);
        vt.write("\u001b[2;4r\u001b[4;1H\n");
        assertEquals(1, flushes, "a scroll of another region draws the first one before");
        assertEquals(1, vt.pendingScroll()[2]);
    }

    @Test
    void randomBytesNeverBreakTheTerminal() {
        Random random = new Random(99);
        byte[] chunk = new byte[4096];
        for (int i = 0; i < 200; i++) {
            random.nextBytes(chunk);
            if (i % 2 == 0) {
                for (int j = 0; j < chunk.length; j += 7) {
                    chunk[j] = 0x1B; // lots of escape sequences
                }
            }
            vt.write(chunk, 0, chunk.length);
            assertTrue(vt.cursorX() >= 0 && vt.cursorX() < 20 && vt.cursorY() >= 0 && vt.cursorY() < 6);
        }
        vt.write("\u001bc\u001b[Hok");
        assertEquals("ok", row(0), "still a working terminal");
    }
}
