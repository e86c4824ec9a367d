/**
 * The i8042 keyboard controller of the PC (ports 0x60 and 0x64, IRQ 1 and IRQ 12) with a PS/2
 * keyboard and a PS/2 mouse behind it, fed by the host through a
 * {@link org.alosj.hal.input.HostInput} service. Plugged into the board by a DS component
 * configured through PID {@code org.alosj.hw.i8042}.
 */
module org.alosj.hw.i8042 {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.hal;
}
