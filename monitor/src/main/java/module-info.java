/**
 * The monitor: the operator's verbs on the emulated hardware, as QEMU's monitor has them
 * (screendump, sendkey, mouse_move, device_add …). They act below the bus line, on the models,
 * and only they may name a host path; guest-facing commands live in the shell.
 */
module org.alosj.monitor {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires static org.apache.felix.gogo.runtime;
    requires org.slf4j;
    requires org.alosj.hal;
    requires org.alosj.kernel;
    // screendump writes PNG through javax.imageio.
    requires java.desktop;
}
