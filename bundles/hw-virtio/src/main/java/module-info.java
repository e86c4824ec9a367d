/**
 * virtio 1.x over PCI as QEMU presents it: the PCI transport (modern capabilities in BAR4, the
 * legacy I/O interface of transitional devices in BAR0, the MSI-X table in BAR1), split
 * virtqueues in guest RAM by bus-master DMA, and two devices on it, virtio-blk over a raw image
 * and virtio-net over a network backend; the DS components that plug them into the board.
 */
module org.alosj.hw.virtio {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
}
