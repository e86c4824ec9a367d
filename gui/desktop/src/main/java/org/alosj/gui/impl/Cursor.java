package org.alosj.gui.impl;

/** The mouse pointer: an arrow drawn over everything else at the pointer's hot spot. */
final class Cursor {
    // 'X' outline, '.' fill, ' ' transparent; the hot spot is the top-left corner.
    private static final String[] SHAPE = {
        "X",
        "XX",
        "X.X",
        "X..X",
        "X...X",
        "X....X",
        "X.....X",
        "X......X",
        "X.......X",
        "X........X",
        "X.....XXXXX",
        "X..X..X",
        "X.X X..X",
        "XX  X..X",
        "X    X..X",
        "     X..X",
        "      XX",
    };
    static final int WIDTH = 11;
    static final int HEIGHT = SHAPE.length;

    int x;
    int y;

    Rect bounds() {
        return new Rect(x, y, WIDTH, HEIGHT);
    }

    void drawOnto(Raster screen, Rect clip) {
        Rect c = bounds().intersect(clip).intersect(screen.bounds());
        for (int row = c.y(); row < c.bottom(); row++) {
            String line = SHAPE[row - y];
            for (int col = c.x(); col < c.right(); col++) {
                int i = col - x;
                if (i >= line.length()) {
                    break;
                }
                char ch = line.charAt(i);
                if (ch == 'X') {
                    screen.pixels[row * screen.width + col] = 0x000000;
                } else if (ch == '.') {
                    screen.pixels[row * screen.width + col] = 0xffffff;
                }
            }
        }
    }
}
