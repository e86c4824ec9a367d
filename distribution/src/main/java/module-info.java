/**
 * The ALOS/J launcher: parses QEMU-style flags, feeds Configuration Admin from conf/ and the
 * command line, boots Apache Felix with the distribution's bundles and runs the shell.
 */
module org.alosj.launcher {
    requires org.apache.felix.framework;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires java.management;
    requires jdk.unsupported; // sun.misc.Signal: Ctrl-C during -c

    provides ch.qos.logback.classic.spi.Configurator with org.alosj.launcher.DefaultLogging;
}
