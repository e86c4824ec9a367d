/**
 * The ALOS/J shell commands: Gogo commands in scope {@code alos} (lspci, devices, drivers, bind,
 * unbind, override, reprobe, meminfo, dmesg, logger, date, clear, interrupts, ethsend, netdevs, time, echo, grep,
 * help; the file and storage commands on the VFS: ls, cat, mount, df, … and mkfs.ext2), each a Declarative Services component on Gogo's command whiteboard;
 * and the console: the terminal's line editor and the way shell text runs (org.alosj.shell.console).
 */
module org.alosj.shell {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.apache.felix.gogo.runtime;
    requires org.apache.felix.gogo.jline;
    requires org.jline;
    requires org.alosj.kernel;
    requires org.slf4j;
}
