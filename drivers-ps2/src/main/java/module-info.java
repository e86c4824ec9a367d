/**
 * The i8042 driver: probes the PC's keyboard controller on ports 0x60/0x64, resets and enables
 * the keyboard on IRQ 1 and the mouse on IRQ 12 (with the IntelliMouse wheel), and registers
 * them as InputDevice services delivering evdev events, as Linux's i8042, atkbd and psmouse do.
 */
module org.alosj.drivers.ps2 {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;
}
