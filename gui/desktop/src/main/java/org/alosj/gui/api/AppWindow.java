package org.alosj.gui.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A window the desktop gave an application. Its content area is a {@link Canvas}; what is drawn
 * shows once {@link #repaint()} is called. Thread-safe: applications may draw from their own
 * threads (drawing and repaint are serialized with the compositor).
 */
@ProviderType
public interface AppWindow {
    /** Runs on the desktop's thread, serialized with drawing and events. */
    void invokeLater(Runnable task);

    /** The content area, sized as the window is now. */
    Canvas canvas();

    /** Shows what was drawn since the last repaint. */
    void repaint();

    void setTitle(String title);

    void setListener(WindowListener listener);

    boolean isOpen();

    void close();
}
