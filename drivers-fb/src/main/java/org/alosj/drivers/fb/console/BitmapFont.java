package org.alosj.drivers.fb.console;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The console's 8×16 bitmap font (font-8x16.bin beside this class, baked from DejaVu Sans Mono
 * by tools/FontBaker.java: see font-8x16.README). A glyph is 16 rows of one byte, bit 7 leftmost.
 */
public final class BitmapFont {
    public static final int WIDTH = 8;
    public static final int HEIGHT = 16;
    private static final int REPLACEMENT = 0xFFFD;

    private final Map<Integer, byte[]> glyphs;
    private final byte[] fallback;

    private BitmapFont(Map<Integer, byte[]> glyphs) {
        this.glyphs = glyphs;
        this.fallback = glyphs.getOrDefault(REPLACEMENT, glyphs.get((int) '?'));
    }

    /** The font shipped in this bundle. */
    public static BitmapFont load() {
        try (InputStream in = BitmapFont.class.getResourceAsStream("font-8x16.bin")) {
            if (in == null) {
                throw new IllegalStateException("font-8x16.bin is missing from the bundle");
            }
            DataInputStream data = new DataInputStream(in);
            byte[] magic = data.readNBytes(4);
            int width = data.readInt();
            int height = data.readInt();
            int count = data.readInt();
            if (!"AFNT".equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))
                    || width != WIDTH || height != HEIGHT || count <= 0 || count > 0x10000) {
                throw new IllegalStateException("font-8x16.bin is not an 8x16 AFNT font");
            }
            Map<Integer, byte[]> glyphs = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int code = data.readInt();
                glyphs.put(code, data.readNBytes(HEIGHT));
            }
            return new BitmapFont(glyphs);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the console font: " + e.getMessage(), e);
        }
    }

    /** The rows of {@code codePoint}'s glyph, or the replacement glyph's when the font lacks it. */
    public byte[] glyph(int codePoint) {
        byte[] g = glyphs.get(codePoint);
        return g != null ? g : fallback;
    }

    public boolean has(int codePoint) {
        return glyphs.containsKey(codePoint);
    }
}
