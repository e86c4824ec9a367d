/**
 * The emulated PC below the bus line: guest RAM, the I/O-port and memory buses, the i440FX/PIIX3
 * chipset with its PCI host bridge, the legacy ISA devices (PIC, PIT, RTC, UART), and the CPU API
 * (the model is the cpu-x86_64 bundle's, a CpuFactory service).
 * Drivers see only the bus contracts; device models plug into the board through the PCI API.
 */
module org.alosj.hal {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;

    exports org.alosj.hal.bus;
    exports org.alosj.hal.irq;
    exports org.alosj.hal.firmware;
    exports org.alosj.hal.pci;
    exports org.alosj.hal.board;
    exports org.alosj.hal.net;
    exports org.alosj.hal.cpu;
    exports org.alosj.hal.display;
    exports org.alosj.hal.input;
    exports org.alosj.hal.storage;
}
