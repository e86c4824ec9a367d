/**
 * The PIIX3 IDE function (8086:7010) as QEMU's i440FX machine presents it at 00:01.1: an IDE
 * controller in compatibility mode (fixed ports 0x1F0/0x3F6 and 0x170/0x376, ISA IRQs 14 and 15)
 * with SFF-8038i bus-master DMA, and ATA disks behind it backed by raw image files. Plugged into
 * the board by a DS component configured through PID {@code org.alosj.hw.ata}.
 */
module org.alosj.hw.ata {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
}
