/**
 * virtio-pci: the driver for virtio 1.x devices on PCI, modern (1af4:1041, 1af4:1042) and
 * transitional through their legacy interface (1af4:1000, 1af4:1001). It holds the transport,
 * split virtqueues, virtio-net (a NetDevice) and virtio-blk (a BlockDevice named vda, vdb, ...
 * in slot order).
 */
module org.alosj.drivers.virtio {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;
}
