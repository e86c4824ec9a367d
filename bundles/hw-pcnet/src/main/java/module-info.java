/**
 * The AMD PCnet-PCI II (Am79C970A) as QEMU presents it: a PCI function model (configuration
 * space, I/O and MMIO register windows, APROM, CSR/BCR register file, init block, SWSTYLE 0/2/3
 * descriptor rings in guest RAM by bus-master DMA, INTA) and the DS component that plugs one
 * into the board per factory configuration and wires it to a network backend.
 */
module org.alosj.hw.pcnet {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
}
