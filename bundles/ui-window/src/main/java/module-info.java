/**
 * QEMU's {@code -display gtk}/{@code sdl}, here {@code -display window}: the display adapter's
 * picture in a desktop window drawn with Java's own toolkit, taking the host's keys and mouse
 * into the input models; closing the window powers the machine off.
 */
module org.alosj.ui.window {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires java.desktop;
    requires org.alosj.hal;
    requires org.alosj.kernel;
}
