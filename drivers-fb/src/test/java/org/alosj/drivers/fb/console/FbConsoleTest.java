package org.alosj.drivers.fb.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.alosj.drivers.fb.RealDisplayRig;
import org.alosj.kernel.fb.FramebufferDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console on the real adapter, checked by what the adapter shows: each text cell's 8×16
 * pixels against the font's glyph in the cell's colours.
 */
class FbConsoleTest {
    static final int GREY = 0xAAAAAA;
    final RealDisplayRig rig = new RealDisplayRig(true);
    final FramebufferDevice fb = rig.bind(640, 480, 32);
    final BitmapFont font = BitmapFont.load();
    final FbConsole console = new FbConsole("tty1", fb, font);
    final ByteArrayOutputStream typed = new ByteArrayOutputStream();

    FbConsoleTest() {
        console.setInputListener((data, offset, length) -> typed.write(data, offset, length));
        console.start();
    }

    @AfterEach
    void close() {
        console.stop();
        rig.close();
    }

    void write(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        console.write(b, 0, b.length);
    }

    /** Checks one cell's pixels: the glyph's bits in {@code fg}, the rest in {@code bg}. */
    void expectCell(int col, int row, int codePoint, int fg, int bg) {
        int[] px = new int[BitmapFont.WIDTH * BitmapFont.HEIGHT];
        rig.screen().read(col * 8, row * 16, 8, 16, px, 0, 8);
        byte[] glyph = font.glyph(codePoint);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 8; x++) {
                int want = (glyph[y] & 0x80 >> x) != 0 ? fg : bg;
                if (px[y * 8 + x] != want) {
                    fail(String.format("cell %d,%d (%s): pixel %d,%d is %06x, the glyph wants %06x", col, row,
                            new String(Character.toChars(codePoint)), x, y, px[y * 8 + x], want));
                }
            }
        }
    }

    /** The picture every cell of the terminal should give, drawn here from the font, cursor included. */
    int[] expectedPicture() {
        Vt vt = console.vt();
        int width = rig.screen().width();
        int[] p = new int[width * rig.screen().height()];
        int[] colours = new int[2];
        for (int row = 0; row < vt.rows(); row++) {
            for (int col = 0; col < vt.columns(); col++) {
                Palette.resolve(vt.style(col, row), colours);
                byte[] glyph = font.glyph(vt.codePoint(col, row));
                boolean underline = (vt.style(col, row) & Vt.UNDERLINE) != 0;
                boolean cursor = vt.cursorVisible() && col == vt.cursorX() && row == vt.cursorY();
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 8; x++) {
                        boolean on = (glyph[y] & 0x80 >> x) != 0 || (underline && y == 15) || (cursor && y >= 14);
                        p[(row * 16 + y) * width + col * 8 + x] = on ? colours[0] : colours[1];
                    }
                }
            }
        }
        return p;
    }

    @Test
    void textAppearsCellByCellInTheFontsGlyphs() {
        String text = "Hello, wörld: 1+1=2 € ┼ ÿ";
        write(text);
        int col = 0;
        for (int cp : text.codePoints().toArray()) {
            expectCell(col++, 0, cp, GREY, 0);
        }
        assertEquals(80, console.columns());
        assertEquals(30, console.rows());
    }

    @Test
    void sgrColoursReverseAndBold() {
        write("\u001b[1;31mR\u001b[0m\u001b[44mB\u001b[0m\u001b[7mV\u001b[0m\u001b[32;47mg\u001b[0m");
        expectCell(0, 0, 'R', 0xFF5555, 0);
        expectCell(1, 0, 'B', GREY, 0x0000AA);
        expectCell(2, 0, 'V', 0, GREY);
        expectCell(3, 0, 'g', 0x00AA00, GREY);
    }

    @Test
    void cursorMotionAndClear() {
        write("junk\u001b[2J\u001b[5;10HX\u001b[1;1HY");
        expectCell(9, 4, 'X', GREY, 0);
        expectCell(2, 0, ' ', GREY, 0); // (the cursor is on 1,0)
        assertArrayEquals(expectedPicture(), rig.picture());
    }

    @Test
    void scrollingCopiesThePictureUp() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            sb.append("line ").append(i).append("\r\n");
        }
        write(sb.toString());
        // 30 rows: lines 71..99 and the empty row with the cursor.
        String top = "line 71";
        for (int i = 0; i < top.length(); i++) {
            expectCell(i, 0, top.charAt(i), GREY, 0);
        }
        assertArrayEquals(expectedPicture(), rig.picture());
        write("\u001b[5;20r\u001b[20;1H\u001b[31mred\r\n\r\n\u001b[0m\u001b[5;1H\u001bMback\u001b[r");
        assertArrayEquals(expectedPicture(), rig.picture(), "scroll regions up and down, then the whole screen");
    }

    @Test
    void viLikeSessionOnTheAlternateScreen() {
        write("alos:/> vi x\r\n");
        write("\u001b[?1049h\u001b[H\u001b[2J~\r\n~\r\n\u001b[30;1H\"x\" 0L, 0C\u001b[1;1H\u001b[4hab\u001b[1;1Hc\u001b[4l");
        assertArrayEquals(expectedPicture(), rig.picture());
        write("\u001b[?1049l");
        assertArrayEquals(expectedPicture(), rig.picture(), "the shell's screen comes back");
        expectCell(0, 0, 'a', GREY, 0);
    }

    @Test
    void cursorPositionReportGoesBackAsInput() {
        write("\u001b[12;34H\u001b[6n");
        assertEquals("\u001b[12;34R", typed.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void handingTheScreenToAClientAndBack() {
        write("before");
        List<String> gui = new ArrayList<>();
        FramebufferDevice.Lease desktop = fb.claim("gui", new FramebufferDevice.Client() {
            @Override
            public void granted(FramebufferDevice.Lease lease) {
                gui.add("granted");
            }

            @Override
            public void revoked(FramebufferDevice.Lease lease) {
                gui.add("revoked");
            }
        });
        desktop.fill(0, 0, 640, 480, 0x336699);
        write(" and during");
        int[] p = new int[1];
        rig.screen().read(0, 0, 1, 1, p, 0, 1);
        assertEquals(0x336699, p[0], "the console does not draw over the client");
        desktop.close();
        assertArrayEquals(expectedPicture(), rig.picture(), "given back, the console redraws everything");
        expectCell(7, 0, 'a', GREY, 0);
    }

    @Test
    void randomBytesKeepThePictureTrueToTheCells() {
        Random random = new Random(4);
        byte[] chunk = new byte[8192];
        for (int i = 0; i < 40; i++) {
            random.nextBytes(chunk);
            for (int j = 0; j < chunk.length; j += 5) {
                chunk[j] = (byte) (j % 3 == 0 ? 0x1B : j % 3 == 1 ? '\n' : '[');
            }
            console.write(chunk, 0, chunk.length);
        }
        assertArrayEquals(expectedPicture(), rig.picture());
    }
}
