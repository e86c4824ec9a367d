/**
 * The ALOS/J kernel: boot on the platform, physical memory, interrupts, PCI enumeration and the
 * device manager that binds drivers, the device service contracts and the kernel log.
 */
module org.alosj.kernel {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.osgi.service.device;
    requires org.slf4j;
    requires java.xml;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires transitive org.alosj.hal;

    exports org.alosj.kernel.pci;
    exports org.alosj.kernel.device;
    exports org.alosj.kernel.mem;
    exports org.alosj.kernel.irq;
    exports org.alosj.kernel.klog;
    exports org.alosj.kernel.time;
    exports org.alosj.kernel.fs;
    exports org.alosj.kernel.vfs;
    exports org.alosj.kernel.block;
    exports org.alosj.kernel.proc;
    exports org.alosj.kernel.power;
    exports org.alosj.kernel.input;
    exports org.alosj.kernel.fb;
    exports org.alosj.kernel.legacy;
}
