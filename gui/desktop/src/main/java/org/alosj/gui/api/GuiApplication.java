package org.alosj.gui.api;

import org.osgi.annotation.versioning.ConsumerType;

/** A program the desktop can open in a window; registered as a service. */
@ConsumerType
public interface GuiApplication {
    /** The name in the menu and the window's first title. */
    String title();

    /** Preferred size of the window's content area, in pixels. */
    default int preferredWidth() {
        return 480;
    }

    default int preferredHeight() {
        return 300;
    }

    /**
     * Called on the desktop's thread when the user opens the application: set a listener, draw
     * the first picture. The window lives until the user closes it or {@link AppWindow#close()}.
     */
    void open(AppWindow window);
}
