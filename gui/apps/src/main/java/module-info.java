/**
 * The desktop's applications, each a GuiApplication service: a live system monitor, a file
 * browser on the VFS, and the PCI device tree with the drivers and device services bound to it.
 */
module org.alosj.gui.apps {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;
    requires org.alosj.gui.desktop;
    requires org.alosj.drivers.fb;
}
