/**
 * The GDB remote serial protocol server (QEMU's -gdb): a real gdb attaches with
 * {@code target remote :1234} to the program the machine runs and reads its registers and
 * memory, sets breakpoints, steps and continues. An operator's tool: it listens on a host port.
 */
module org.alosj.gdbstub {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.hal;
    requires org.alosj.kernel;
}
