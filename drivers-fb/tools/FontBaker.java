import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Bakes the frame-buffer console's 8x16 bitmap font from DejaVu Sans Mono (Debian's
 * fonts-dejavu-core), once, so the console needs no font at run time:
 *
 *   java -Djava.awt.headless=true drivers-fb/tools/FontBaker.java \
 *       /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf \
 *       drivers-fb/src/main/resources/org/alosj/drivers/fb/console/font-8x16.bin
 *
 * Glyphs: ASCII, Latin-1, the euro sign, a few symbols, and the box-drawing and block
 * characters, the lines and blocks drawn to the cell's edges so that they join (the font's own
 * would not at this size). Format (big-endian): "AFNT", width, height, glyph count, then per
 * glyph its code point (int) and height rows of one byte each, bit 7 the leftmost pixel.
 */
public class FontBaker {
    static final int W = 8;
    static final int H = 16;
    static final int BASELINE = 12;

    public static void main(String[] args) throws Exception {
        Font font = Font.createFont(Font.TRUETYPE_FONT, Path.of(args[0]).toFile()).deriveFont(13.0f);
        List<Integer> codes = new ArrayList<>();
        for (int c = 0x20; c <= 0x7E; c++) {
            codes.add(c);
        }
        for (int c = 0xA0; c <= 0xFF; c++) {
            codes.add(c);
        }
        for (int c : new int[] {0x20AC, 0x2022, 0x2026, 0x2190, 0x2191, 0x2192, 0x2193, 0x2018, 0x2019,
                0x201C, 0x201D, 0x2013, 0x2014, 0xFFFD}) {
            codes.add(c);
        }
        for (int c = 0x2500; c <= 0x257F; c++) {
            codes.add(c);
        }
        for (int c = 0x2580; c <= 0x259F; c++) {
            codes.add(c);
        }
        List<int[]> glyphs = new ArrayList<>();
        for (int c : codes) {
            int[] rows = drawn(c);
            if (rows == null) {
                if (!font.canDisplay(c)) {
                    continue;
                }
                rows = rendered(font, c);
            }
            glyphs.add(prepend(c, rows));
        }
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(args[1]))) {
            out.writeBytes("AFNT");
            out.writeInt(W);
            out.writeInt(H);
            out.writeInt(glyphs.size());
            for (int[] g : glyphs) {
                out.writeInt(g[0]);
                for (int i = 1; i <= H; i++) {
                    out.writeByte(g[i]);
                }
            }
        }
        System.out.println(glyphs.size() + " glyphs written to " + args[1]);
    }

    static int[] prepend(int c, int[] rows) {
        int[] g = new int[H + 1];
        g[0] = c;
        System.arraycopy(rows, 0, g, 1, H);
        return g;
    }

    static int[] rendered(Font font, int c) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
        g.setFont(font);
        g.drawString(new String(Character.toChars(c)), 0, BASELINE);
        g.dispose();
        int[] rows = new int[H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if ((img.getRaster().getSample(x, y, 0)) >= 128) {
                    rows[y] |= 0x80 >> x;
                }
            }
        }
        return rows;
    }

    /** Box drawing (light, heavy and double lines) and blocks, edge to edge; null for the others. */
    static int[] drawn(int c) {
        int[] rows = new int[H];
        if (c >= 0x2580 && c <= 0x259F) {
            switch (c) {
                case 0x2580 -> fill(rows, 0, H / 2, 0, W);
                case 0x2584 -> fill(rows, H / 2, H, 0, W);
                case 0x2588 -> fill(rows, 0, H, 0, W);
                case 0x258C -> fill(rows, 0, H, 0, W / 2);
                case 0x2590 -> fill(rows, 0, H, W / 2, W);
                case 0x2591, 0x2592, 0x2593 -> {
                    for (int y = 0; y < H; y++) {
                        int pattern = c == 0x2591 ? (y % 2 == 0 ? 0x88 : 0x22) : c == 0x2592 ? (y % 2 == 0 ? 0xAA : 0x55)
                                : (y % 2 == 0 ? 0x77 : 0xDD);
                        rows[y] = pattern;
                    }
                }
                default -> {
                    return null;
                }
            }
            return rows;
        }
        // Which arms leave the centre: up, down, left, right; 1 light, 2 heavy, 3 double.
        int[] arms = arms(c);
        if (arms == null) {
            return null;
        }
        int cx = W / 2 - 1;
        int cy = H / 2 - 1;
        int[] up = {0, cy + 1};
        int[] down = {cy, H};
        for (int dir = 0; dir < 4; dir++) {
            int kind = arms[dir];
            if (kind == 0) {
                continue;
            }
            for (int line : lines(kind)) {
                if (dir < 2) {
                    int[] span = dir == 0 ? up : down;
                    int x = cx + line;
                    int from = span[0];
                    int to = span[1];
                    if (kind == 3) { // double lines stop at the inner corner
                        from = dir == 0 ? 0 : cy - 1;
                        to = dir == 0 ? cy + 3 : H;
                    }
                    fill(rows, from, to, x, x + 1);
                } else {
                    int y = cy + line;
                    int from = dir == 2 ? 0 : cx;
                    int to = dir == 2 ? cx + 1 : W;
                    if (kind == 3) {
                        from = dir == 2 ? 0 : cx - 1;
                        to = dir == 2 ? cx + 3 : W;
                    }
                    fill(rows, y, y + 1, from, to);
                }
            }
        }
        return rows;
    }

    static int[] lines(int kind) {
        return switch (kind) {
            case 1 -> new int[] {0};
            case 2 -> new int[] {0, 1};
            default -> new int[] {-1, 1};
        };
    }

    /** Up, down, left, right for the box-drawing characters made of straight arms. */
    static int[] arms(int c) {
        return switch (c) {
            case 0x2500 -> new int[] {0, 0, 1, 1};
            case 0x2501 -> new int[] {0, 0, 2, 2};
            case 0x2502 -> new int[] {1, 1, 0, 0};
            case 0x2503 -> new int[] {2, 2, 0, 0};
            case 0x250C -> new int[] {0, 1, 0, 1};
            case 0x250F -> new int[] {0, 2, 0, 2};
            case 0x2510 -> new int[] {0, 1, 1, 0};
            case 0x2513 -> new int[] {0, 2, 2, 0};
            case 0x2514 -> new int[] {1, 0, 0, 1};
            case 0x2517 -> new int[] {2, 0, 0, 2};
            case 0x2518 -> new int[] {1, 0, 1, 0};
            case 0x251B -> new int[] {2, 0, 2, 0};
            case 0x251C -> new int[] {1, 1, 0, 1};
            case 0x2523 -> new int[] {2, 2, 0, 2};
            case 0x2524 -> new int[] {1, 1, 1, 0};
            case 0x252B -> new int[] {2, 2, 2, 0};
            case 0x252C -> new int[] {0, 1, 1, 1};
            case 0x2533 -> new int[] {0, 2, 2, 2};
            case 0x2534 -> new int[] {1, 0, 1, 1};
            case 0x253B -> new int[] {2, 0, 2, 2};
            case 0x253C -> new int[] {1, 1, 1, 1};
            case 0x254B -> new int[] {2, 2, 2, 2};
            case 0x2550 -> new int[] {0, 0, 3, 3};
            case 0x2551 -> new int[] {3, 3, 0, 0};
            case 0x2554 -> new int[] {0, 3, 0, 3};
            case 0x2557 -> new int[] {0, 3, 3, 0};
            case 0x255A -> new int[] {3, 0, 0, 3};
            case 0x255D -> new int[] {3, 0, 3, 0};
            case 0x2560 -> new int[] {3, 3, 0, 3};
            case 0x2563 -> new int[] {3, 3, 3, 0};
            case 0x2566 -> new int[] {0, 3, 3, 3};
            case 0x2569 -> new int[] {3, 0, 3, 3};
            case 0x256C -> new int[] {3, 3, 3, 3};
            case 0x2574 -> new int[] {0, 0, 1, 0};
            case 0x2575 -> new int[] {1, 0, 0, 0};
            case 0x2576 -> new int[] {0, 0, 0, 1};
            case 0x2577 -> new int[] {0, 1, 0, 0};
            default -> null;
        };
    }

    static void fill(int[] rows, int y0, int y1, int x0, int x1) {
        for (int y = Math.max(0, y0); y < Math.min(H, y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(W, x1); x++) {
                rows[y] |= 0x80 >> x;
            }
        }
    }
}
