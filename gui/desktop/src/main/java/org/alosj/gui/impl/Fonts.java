package org.alosj.gui.impl;

import org.alosj.gui.api.Canvas.TextStyle;

/** The desktop's three faces, rendered from DejaVu at 13 px (see FontAtlasTool). */
final class Fonts {
    private final GlyphAtlas regular = GlyphAtlas.load("sans-13.atlas");
    private final GlyphAtlas bold = GlyphAtlas.load("sans-bold-13.atlas");
    private final GlyphAtlas mono = GlyphAtlas.load("mono-13.atlas");

    GlyphAtlas of(TextStyle style) {
        return switch (style == null ? TextStyle.REGULAR : style) {
            case REGULAR -> regular;
            case BOLD -> bold;
            case MONOSPACE -> mono;
        };
    }
}
