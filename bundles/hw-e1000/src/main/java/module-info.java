/**
 * Intel's gigabit Ethernet controllers as QEMU presents them: the 82540EM ({@code -device e1000},
 * 8086:100e, conventional PCI) and the 82574L ({@code -device e1000e}, 8086:10d3, PCIe with PM,
 * MSI, PCIe and MSI-X capabilities). One MAC model serves both parts: the register file in the
 * memory BAR and through the I/O BAR's IOADDR/IODATA window, the EEPROM/NVM with the station
 * address, the PHY behind MDIC, descriptor rings in guest RAM by bus-master DMA with checksum offload and TCP
 * segmentation, interrupt
 * causes with ITR throttling, and the statistics counters. The DS components plug one into the
 * board per factory configuration and wire it to a network backend.
 */
@SuppressWarnings("module") // e1000 is the family's name, terminal digits and all
module org.alosj.hw.e1000 {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
}
