/**
 * bochs: the driver for the Bochs/QEMU display adapter (PCI 1234:1111, {@code -vga std} and
 * {@code -device bochs-display}). Sets the mode through the VBE DISPI registers in BAR2, offers
 * the frame buffer in BAR0 as a FramebufferDevice ({@code fb0}), and runs the text console on it
 * ({@code tty1}, a ConsoleDevice fed by the keyboards' InputDevices through the Keymaps service).
 */
module org.alosj.drivers.fb {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;

    exports org.alosj.drivers.fb.console;
}
