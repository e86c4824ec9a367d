/**
 * The Bochs/QEMU display adapter (PCI 1234:1111) as QEMU presents it for {@code -vga std} and
 * {@code -device bochs-display}: VBE DISPI registers, a linear frame buffer in BAR0, the MMIO
 * register block in BAR2, and the picture it scans out as a DisplaySurface service.
 */
module org.alosj.hw.display {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.hal;
}
