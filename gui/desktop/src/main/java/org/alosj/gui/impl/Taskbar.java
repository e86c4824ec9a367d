package org.alosj.gui.impl;

import java.util.ArrayList;
import java.util.List;

import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;

/**
 * The strip at the bottom of the screen: the menu button that lists the applications, one
 * button per window (click: raise it), and the clock. The menu, when open, hangs above it.
 */
final class Taskbar {
    private static final int MENU_BUTTON_WIDTH = 70;
    private static final int WINDOW_BUTTON_WIDTH = 150;
    private static final int MENU_ITEM_HEIGHT = 22;
    private static final int MENU_WIDTH = 220;

    private final Desktop desktop;
    private final Fonts fonts;
    private final Rect bounds;
    private Raster strip;
    private String clock = "";
    private List<DesktopWindow> shownWindows = List.of();
    private DesktopWindow shownFocus;
    private List<GuiApplication> menuItems;
    private Raster menu;
    private Rect menuBounds = Rect.EMPTY;
    private int highlighted = -1;

    Taskbar(Desktop desktop, Fonts fonts, int screenWidth, int screenHeight) {
        this.desktop = desktop;
        this.fonts = fonts;
        this.bounds = new Rect(0, screenHeight - Theme.TASKBAR_HEIGHT, screenWidth, Theme.TASKBAR_HEIGHT);
        render(List.of(), null);
    }

    Rect bounds() {
        return bounds;
    }

    void setClock(String text) {
        if (!text.equals(clock)) {
            clock = text;
            render(shownWindows, shownFocus);
            desktop.damage(bounds);
        }
    }

    void render(List<DesktopWindow> windows, DesktopWindow focus) {
        shownWindows = new ArrayList<>(windows);
        shownFocus = focus;
        Raster r = new Raster(bounds.width(), bounds.height(), fonts);
        r.fill(0, 0, r.width, r.height, Theme.TASKBAR);
        int textY = (r.height - r.lineHeight(TextStyle.BOLD)) / 2;
        r.fill(3, 3, MENU_BUTTON_WIDTH - 6, r.height - 6, menu != null ? Theme.TASKBAR_ACTIVE : Theme.TASKBAR_BUTTON);
        r.text(12, textY, "ALOS/J", Theme.TASKBAR_TEXT, TextStyle.BOLD);
        int clockWidth = r.textWidth(clock, TextStyle.REGULAR);
        for (int i = 0; i < shownWindows.size(); i++) {
            Rect b = windowButton(i).translate(-bounds.x(), -bounds.y());
            if (b.right() > r.width - clockWidth - 12) {
                break;
            }
            DesktopWindow w = shownWindows.get(i);
            r.fill(b.x(), b.y(), b.width(), b.height(), w == focus ? Theme.TASKBAR_ACTIVE : Theme.TASKBAR_BUTTON);
            String title = w.title();
            while (!title.isEmpty() && r.textWidth(title, TextStyle.REGULAR) > b.width() - 12) {
                title = title.substring(0, title.length() - 1);
            }
            r.text(b.x() + 6, textY, title, Theme.TASKBAR_TEXT, TextStyle.REGULAR);
        }
        r.text(r.width - clockWidth - 8, textY, clock, Theme.TASKBAR_TEXT, TextStyle.REGULAR);
        strip = r;
    }

    private Rect windowButton(int index) {
        return new Rect(bounds.x() + MENU_BUTTON_WIDTH + 4 + index * (WINDOW_BUTTON_WIDTH + 4), bounds.y() + 3,
                WINDOW_BUTTON_WIDTH, bounds.height() - 6);
    }

    void drawOnto(Raster screen, Rect clip) {
        Rect part = bounds.intersect(clip);
        if (!part.isEmpty()) {
            strip.drawOnto(screen, part.translate(-bounds.x(), -bounds.y()), part.x(), part.y());
        }
        if (menu != null) {
            Rect m = menuBounds.intersect(clip);
            if (!m.isEmpty()) {
                menu.drawOnto(screen, m.translate(-menuBounds.x(), -menuBounds.y()), m.x(), m.y());
            }
        }
    }

    /** Handles a press at (x, y); true when the task bar or its menu took it. */
    boolean click(int x, int y, List<DesktopWindow> windows) {
        if (menu != null && menuBounds.contains(x, y)) {
            int index = (y - menuBounds.y() - 4) / MENU_ITEM_HEIGHT;
            List<GuiApplication> items = menuItems;
            closeMenu();
            if (index >= 0 && index < items.size()) {
                desktop.open(items.get(index));
            }
            return true;
        }
        if (!bounds.contains(x, y)) {
            if (menu != null) {
                closeMenu();
            }
            return false;
        }
        if (x < bounds.x() + MENU_BUTTON_WIDTH) {
            if (menu == null) {
                openMenu();
            } else {
                closeMenu();
            }
            return true;
        }
        closeMenu();
        for (int i = 0; i < shownWindows.size(); i++) {
            if (windowButton(i).contains(x, y) && windows.contains(shownWindows.get(i))) {
                desktop.raise(shownWindows.get(i));
                return true;
            }
        }
        return true;
    }

    void hover(int x, int y) {
        if (menu == null) {
            return;
        }
        int index = menuBounds.contains(x, y) ? (y - menuBounds.y() - 4) / MENU_ITEM_HEIGHT : -1;
        if (index != highlighted) {
            highlighted = index;
            renderMenu();
            desktop.damage(menuBounds);
        }
    }

    private void openMenu() {
        menuItems = new ArrayList<>(desktop.applications());
        menuItems.sort((a, b) -> a.title().compareToIgnoreCase(b.title()));
        int height = Math.max(1, menuItems.size()) * MENU_ITEM_HEIGHT + 8;
        menuBounds = new Rect(bounds.x() + 2, bounds.y() - height, MENU_WIDTH, height);
        highlighted = -1;
        renderMenu();
        render(shownWindows, shownFocus);
        desktop.damage(menuBounds);
        desktop.damage(bounds);
    }

    private void renderMenu() {
        Raster r = new Raster(menuBounds.width(), menuBounds.height(), fonts);
        r.fill(0, 0, r.width, r.height, Theme.MENU);
        r.rectangle(0, 0, r.width, r.height, Theme.FRAME);
        if (menuItems.isEmpty()) {
            r.text(10, 4 + 3, "(no applications installed)", 0x808080, TextStyle.REGULAR);
        }
        for (int i = 0; i < menuItems.size(); i++) {
            int y = 4 + i * MENU_ITEM_HEIGHT;
            if (i == highlighted) {
                r.fill(2, y, r.width - 4, MENU_ITEM_HEIGHT, Theme.MENU_HIGHLIGHT);
            }
            r.text(10, y + 3, menuItems.get(i).title(), Theme.MENU_TEXT, TextStyle.REGULAR);
        }
        menu = r;
    }

    void closeMenu() {
        if (menu != null) {
            desktop.damage(menuBounds);
            menu = null;
            menuBounds = Rect.EMPTY;
            render(shownWindows, shownFocus);
            desktop.damage(bounds);
        }
    }
}
