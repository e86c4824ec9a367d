/**
 * ALOS's GUI rebuilt: a compositor with damage tracking, a window manager (move, resize, raise,
 * close, focus follows click, a task bar), drawing primitives and antialiased text, fed by the
 * kernel's input devices and shown on a framebuffer the desktop takes over while it runs.
 * Applications are services (org.alosj.gui.api).
 */
module org.alosj.gui.desktop {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires static org.apache.felix.gogo.runtime;
    requires org.slf4j;
    requires org.alosj.kernel;

    exports org.alosj.gui.api;
}
