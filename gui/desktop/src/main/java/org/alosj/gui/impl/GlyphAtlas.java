package org.alosj.gui.impl;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * An antialiased font as pre-rendered coverage maps (one byte of ink per pixel, 0–255), made by
 * FontAtlasTool from a TrueType font. File (gzip): int magic, short line height, short ascent,
 * short glyph count, then per glyph: int code point, byte advance, byte bitmap width, byte x
 * offset (signed), and width × line height coverage bytes.
 */
final class GlyphAtlas {
    static final int MAGIC = 0x41464e54; // "AFNT"

    record Glyph(int advance, int width, int xOffset, byte[] coverage) {
    }

    private final int lineHeight;
    private final int ascent;
    private final Map<Integer, Glyph> glyphs;
    private final Glyph fallback;

    private GlyphAtlas(int lineHeight, int ascent, Map<Integer, Glyph> glyphs) {
        this.lineHeight = lineHeight;
        this.ascent = ascent;
        this.glyphs = glyphs;
        this.fallback = glyphs.getOrDefault((int) '?', new Glyph(lineHeight / 2, 1, 0, new byte[lineHeight]));
    }

    static GlyphAtlas load(String resource) {
        try (InputStream raw = GlyphAtlas.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("font " + resource + " is missing from the bundle");
            }
            DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
            if (in.readInt() != MAGIC) {
                throw new IllegalStateException("font " + resource + " is not a glyph atlas");
            }
            int height = in.readShort();
            int ascent = in.readShort();
            int count = in.readShort();
            Map<Integer, Glyph> map = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int cp = in.readInt();
                int advance = in.readUnsignedByte();
                int width = in.readUnsignedByte();
                int xOffset = in.readByte();
                byte[] coverage = new byte[width * height];
                in.readFully(coverage);
                map.put(cp, new Glyph(advance, width, xOffset, coverage));
            }
            return new GlyphAtlas(height, ascent, map);
        } catch (EOFException e) {
            throw new IllegalStateException("font " + resource + " is truncated");
        } catch (IOException e) {
            throw new IllegalStateException("font " + resource + ": " + e.getMessage());
        }
    }

    int lineHeight() {
        return lineHeight;
    }

    int ascent() {
        return ascent;
    }

    Glyph glyph(int codePoint) {
        return glyphs.getOrDefault(codePoint, fallback);
    }

    boolean has(int codePoint) {
        return glyphs.containsKey(codePoint);
    }

    int width(CharSequence text) {
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            w += glyph(cp).advance();
            i += Character.charCount(cp);
        }
        return w;
    }
}
