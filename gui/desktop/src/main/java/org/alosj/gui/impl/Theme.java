package org.alosj.gui.impl;

/** Sizes and colours of the desktop's furniture, in one place. */
final class Theme {
    static final int BORDER = 1;
    static final int TITLE_HEIGHT = 22;
    static final int CLOSE_BOX = 14;
    static final int RESIZE_GRIP = 12;
    static final int TASKBAR_HEIGHT = 28;
    static final int MIN_CONTENT_WIDTH = 120;
    static final int MIN_CONTENT_HEIGHT = 40;

    static final int DESKTOP = 0x2b4a6f;
    static final int DESKTOP_LINE = 0x335680;
    static final int FRAME = 0x1c1c1c;
    static final int TITLE_FOCUSED = 0x3d6fb4;
    static final int TITLE_UNFOCUSED = 0x7a7f86;
    static final int TITLE_TEXT = 0xffffff;
    static final int CLOSE = 0xd9534f;
    static final int TASKBAR = 0x202428;
    static final int TASKBAR_BUTTON = 0x3a4048;
    static final int TASKBAR_ACTIVE = 0x5a6a80;
    static final int TASKBAR_TEXT = 0xf0f0f0;
    static final int MENU = 0xf4f4f4;
    static final int MENU_TEXT = 0x101010;
    static final int MENU_HIGHLIGHT = 0xc8daf0;

    private Theme() {
    }
}
