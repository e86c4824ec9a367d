/**
 * QEMU's {@code -vnc :N}: an RFB server (RFC 6143) onto the display adapter's picture and the
 * keyboard and mouse models, so any VNC client can watch and drive the machine. An operator's
 * tool: it listens on a host port, 127.0.0.1 unless an address is given.
 */
module org.alosj.ui.vnc {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.hal;
}
