package org.alosj.itests;

import java.util.Arrays;
import java.util.Map;

/**
 * Reads text back from a picture of the frame-buffer console: each 8×16 cell is turned into the
 * glyph its pixels draw and looked up in the console font ('?' when no printable ASCII glyph
 * matches). The screen's tests check what the shell printed this way, by pixels.
 */
final class ScreenText {
    private ScreenText() {
    }

    /**
     * The text of {@code columns} cells starting at pixel ({@code x}, {@code y}) of a picture of
     * {@code width} pixels a row (0xRRGGBB; a top byte is ignored), trailing blanks stripped.
     */
    static String cells(int[] picture, int width, int x, int y, int columns, Map<Integer, byte[]> font) {
        StringBuilder sb = new StringBuilder();
        for (int col = 0; col < columns && x + col * 8 + 8 <= width; col++) {
            int left = x + col * 8;
            // The top right pixel is background in every glyph of this font.
            int bg = picture[y * width + left + 7] & 0xffffff;
            byte[] cell = new byte[16];
            for (int gy = 0; gy < 16; gy++) {
                for (int gx = 0; gx < 8; gx++) {
                    if ((picture[(y + gy) * width + left + gx] & 0xffffff) != bg) {
                        cell[gy] |= (byte) (0x80 >> gx);
                    }
                }
            }
            char seen = '?';
            for (Map.Entry<Integer, byte[]> g : font.entrySet()) {
                if (g.getKey() < 0x7F && Arrays.equals(g.getValue(), cell)) {
                    seen = (char) (int) g.getKey();
                    break;
                }
            }
            sb.append(seen);
        }
        return sb.toString().stripTrailing();
    }
}
